using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;
using ExamConsole.Data.History;

namespace ExamConsole.Api.History;

/// <summary>
/// Counts every API request of this host per route and second, its latency in the fixed
/// <see cref="LatencyBuckets"/>, from ASP.NET Core's own <c>http.server.request.duration</c>
/// (scoped to this host's meter factory, so another host in the process is not heard). The history
/// takes the counts once a second (<see cref="Harvest"/>). A request costs one lock of its route and
/// two increments: no allocation.
/// </summary>
public sealed partial class RouteHistogramRecorder : IDisposable
{
    public const string MeterName = "Microsoft.AspNetCore.Hosting";
    public const string InstrumentName = "http.server.request.duration";
    public const string RoutePrefix = "/api";

    private const int MaxRoutes = 200;

    private readonly ConcurrentDictionary<(string Method, string Route), RouteCounter> _routes = new();
    private readonly MeterListener _listener = new();

    public RouteHistogramRecorder(IMeterFactory? scope)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MeterName && instrument.Name == InstrumentName
                && (scope is null || ReferenceEquals(instrument.Meter.Scope, scope)))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((_, seconds, tags, _) => OnMeasurement(seconds, tags));
        _listener.Start();
    }

    /// <summary>Records one request of an API route ("GET", "/api/exams/{examId:int}/paper").</summary>
    public void Record(string method, string route, int statusCode, double milliseconds)
    {
        if (!route.StartsWith(RoutePrefix, StringComparison.Ordinal))
        {
            return;
        }
        if (!_routes.TryGetValue((method, route), out var counter))
        {
            // Routes are templates, so there are few; the cap guards against a tag that is not one.
            if (_routes.Count >= MaxRoutes)
            {
                return;
            }
            counter = _routes.GetOrAdd((method, route), key => new RouteCounter(key.Method + " " + Normalize(key.Route)));
        }
        counter.Record(LatencyBuckets.IndexOf(milliseconds), statusCode >= 500);
    }

    /// <summary>Takes (and clears) what each route counted since the last harvest; routes without a request are left out.</summary>
    public List<RouteSample> Harvest(string node, DateTimeOffset at)
    {
        var samples = new List<RouteSample>();
        // Two template spellings of one route ("{id}" and "{id:int}") are one route in the history.
        foreach (var group in _routes.Values.GroupBy(c => c.Name, StringComparer.Ordinal))
        {
            long requests = 0, errors = 0;
            var buckets = new long[LatencyBuckets.Count];
            foreach (var counter in group)
            {
                counter.TakeInto(buckets, ref requests, ref errors);
            }
            if (requests > 0)
            {
                var (first, counts) = LatencyBuckets.Trim(buckets);
                samples.Add(new RouteSample(node, at, group.Key, requests, errors, first, counts));
            }
        }
        return samples;
    }

    /// <summary>The route as the targets name it: without parameter constraints and without a trailing slash.</summary>
    public static string Normalize(string route)
    {
        var plain = Constraint().Replace(route, "{$1}");
        return plain.Length > 1 ? plain.TrimEnd('/') : plain;
    }

    public void Dispose() => _listener.Dispose();

    [GeneratedRegex(@"\{([^}:?=]+)[^}]*\}")]
    private static partial Regex Constraint();

    private void OnMeasurement(double seconds, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (ReadTags(tags) is { } request)
        {
            Record(request.Method, request.Route, request.StatusCode, seconds * 1000);
        }
    }

    /// <summary>The method, route template and status code of one <c>http.server.request.duration</c> measurement (null: not a routed request).</summary>
    public static (string Method, string Route, int StatusCode)? ReadTags(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string? route = null, method = null;
        var status = 0;
        foreach (var tag in tags)
        {
            switch (tag.Key)
            {
                case "http.route":
                    route = tag.Value as string;
                    break;
                case "http.request.method":
                    method = tag.Value as string;
                    break;
                case "http.response.status_code":
                    status = tag.Value is int code ? code : 0;
                    break;
            }
        }
        return route is not null && method is not null ? (method, route, status) : null;
    }

    private sealed class RouteCounter(string name)
    {
        private readonly Lock _gate = new();
        private readonly long[] _buckets = new long[LatencyBuckets.Count];
        private long _requests;
        private long _errors;

        public string Name { get; } = name;

        public void Record(int bucket, bool error)
        {
            lock (_gate)
            {
                _buckets[bucket]++;
                _requests++;
                if (error)
                {
                    _errors++;
                }
            }
        }

        public void TakeInto(Span<long> buckets, ref long requests, ref long errors)
        {
            lock (_gate)
            {
                if (_requests == 0)
                {
                    return;
                }
                for (var i = 0; i < _buckets.Length; i++)
                {
                    buckets[i] += _buckets[i];
                }
                requests += _requests;
                errors += _errors;
                Array.Clear(_buckets);
                _requests = 0;
                _errors = 0;
            }
        }
    }
}
