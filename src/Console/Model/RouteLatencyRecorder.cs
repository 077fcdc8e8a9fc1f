using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ExamConsole.Data.Metrics;
using Microsoft.Extensions.Options;

namespace ExamConsole.Console.Model;

/// <summary>
/// Listens to ASP.NET Core's own <c>http.server.request.duration</c> of this host (meter
/// Microsoft.AspNetCore.Hosting, tagged with the route and the status code) and keeps a sliding
/// window per API route: the SLO table's request rate, error rate and percentiles.
/// </summary>
public sealed class RouteLatencyRecorder : IDisposable
{
    public const string MeterName = "Microsoft.AspNetCore.Hosting";
    public const string InstrumentName = "http.server.request.duration";

    /// <summary>Only the API's routes: the console's own traffic (pages, the Blazor hub) is not what the targets are about.</summary>
    public const string RoutePrefix = "/api";

    private const int MaxRoutes = 200;

    private readonly ConcurrentDictionary<string, RouteWindow> _routes = new(StringComparer.Ordinal);
    private readonly MeterListener _listener = new();
    private readonly IMeterFactory? _scope;
    private readonly TimeProvider _time;
    private readonly TimeSpan _window;

    /// <param name="scope">Only meters created by this factory are heard (another host in the same process has its own).</param>
    public RouteLatencyRecorder(IOptions<ConsoleOptions> options, TimeProvider time, IMeterFactory? scope)
    {
        _time = time;
        _window = options.Value.SloWindow;
        _scope = scope;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MeterName && instrument.Name == InstrumentName
                && (_scope is null || ReferenceEquals(instrument.Meter.Scope, _scope)))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((_, seconds, tags, _) => OnMeasurement(seconds, tags));
        _listener.Start();
    }

    /// <summary>Records one request directly (what the listener does for each measurement).</summary>
    public void Record(string method, string route, int statusCode, double milliseconds)
    {
        if (!route.StartsWith(RoutePrefix, StringComparison.Ordinal))
        {
            return;
        }
        var key = method + " " + Normalize(route);
        if (!_routes.TryGetValue(key, out var window))
        {
            // Routes are templates, so there are few; the cap guards against a tag that is not one.
            if (_routes.Count >= MaxRoutes)
            {
                return;
            }
            window = _routes.GetOrAdd(key, _ => new RouteWindow(_window, _time));
        }
        window.Record(_time.GetTimestamp(), _time.TimestampFrequency, milliseconds, statusCode >= 500);
    }

    /// <summary>Each route heard within the window, busiest first.</summary>
    public IReadOnlyList<RouteLatency> Read()
    {
        var now = _time.GetTimestamp();
        return _routes
            .Select(pair => pair.Value.Read(pair.Key, now, _time.TimestampFrequency))
            .Where(r => r.Requests > 0)
            .OrderByDescending(r => r.RequestsPerSecond)
            .ToList();
    }

    public void Dispose() => _listener.Dispose();

    /// <summary>
    /// The route as the targets name it: without parameter constraints ("{examId:int}" is "{examId}")
    /// and without a trailing slash ("/api/exams/" is "/api/exams").
    /// </summary>
    public static string Normalize(string route) => ExamConsole.Api.History.RouteHistogramRecorder.Normalize(route);

    private void OnMeasurement(double seconds, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (ExamConsole.Api.History.RouteHistogramRecorder.ReadTags(tags) is { } request)
        {
            Record(request.Method, request.Route, request.StatusCode, seconds * 1000);
        }
    }
}

/// <summary>
/// One route's requests of the last window: counts per second and HdrHistogram's buckets per slot of
/// the window (<see cref="WindowedHistogram"/>), so that the percentiles cover the whole window at any rate.
/// </summary>
internal sealed class RouteWindow(TimeSpan window, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly int _seconds = SecondsOf(window);
    private readonly long[] _bucketSecond = new long[SecondsOf(window)];
    private readonly int[] _requests = new int[SecondsOf(window)];
    private readonly int[] _errors = new int[SecondsOf(window)];
    private readonly WindowedHistogram _latency = new(window, time);

    public void Record(long timestamp, long frequency, double milliseconds, bool error)
    {
        var second = timestamp / frequency;
        lock (_gate)
        {
            var i = (int)(second % _seconds);
            if (_bucketSecond[i] != second)
            {
                _bucketSecond[i] = second;
                _requests[i] = 0;
                _errors[i] = 0;
            }
            _requests[i]++;
            if (error)
            {
                _errors[i]++;
            }
        }
        _latency.RecordMilliseconds(milliseconds);
    }

    public RouteLatency Read(string route, long now, long frequency)
    {
        var nowSecond = now / frequency;
        long requests = 0, errors = 0;
        lock (_gate)
        {
            for (var i = 0; i < _seconds; i++)
            {
                if (_bucketSecond[i] > nowSecond - _seconds && _bucketSecond[i] <= nowSecond)
                {
                    requests += _requests[i];
                    errors += _errors[i];
                }
            }
        }
        var latency = _latency.Read();
        return new RouteLatency(
            route,
            Math.Round(requests / (double)_seconds, 2),
            requests == 0 ? 0 : Math.Round(100.0 * errors / requests, 2),
            latency.P50Ms,
            latency.P95Ms,
            latency.P99Ms,
            requests);
    }

    // Console:SloWindow is a whole number of seconds, at least one (ConsoleOptionsValidator).
    private static int SecondsOf(TimeSpan window) => (int)window.TotalSeconds;
}
