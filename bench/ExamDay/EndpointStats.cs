using System.Collections.Concurrent;
using System.Globalization;
using HdrHistogram;

namespace ExamConsole.ExamDay;

/// <summary>The endpoints of a teacher's session, in the order they are called.</summary>
public static class Endpoints
{
    public const string Login = "login";
    public const string Exams = "exams";
    public const string Paper = "paper";
    public const string Start = "start";
    public const string Answers = "answers";
    public const string Submit = "submit";
    public const string Status = "status";

    /// <summary>Submit from the first try's intended start to the 200/202, Retry-After waits included.</summary>
    public const string SubmitAcknowledged = "submit-ack";

    public static readonly string[] All = [Login, Exams, Paper, Start, Answers, Submit, Status, SubmitAcknowledged];
}

/// <summary>
/// Latencies of one endpoint in microseconds, from each request's intended start (coordinated
/// omission corrected), in an HdrHistogram recorder that threads write to without locks; plus the
/// count of every answer by status. <see cref="Drain"/> moves the interval into the running total.
/// </summary>
public sealed class EndpointStats(string name)
{
    // One hour in microseconds: anything slower is clamped there (and a request times out long before).
    private const long HighestMicros = 3_600_000_000;

    private readonly Recorder _recorder = HistogramFactory.With64BitBucketSize()
        .WithValuesFrom(1).WithValuesUpTo(HighestMicros).WithPrecisionOf(3)
        .WithThreadSafeWrites().WithThreadSafeReads().Create();

    private readonly HistogramBase _total = new LongHistogram(1, HighestMicros, 3);
    private readonly ConcurrentDictionary<string, long> _statuses = new(StringComparer.Ordinal);
    private readonly Lock _drain = new();
    private HistogramBase? _recycle;
    private long _requests;
    private long _errors;
    private long _serverErrors;

    public string Name { get; } = name;

    public long Requests => Interlocked.Read(ref _requests);

    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>Answers 500-599 (a shed 503 included).</summary>
    public long ServerErrors => Interlocked.Read(ref _serverErrors);

    /// <summary>A successful answer: its latency goes into the histogram.</summary>
    public void RecordSuccess(int status, TimeSpan latency)
    {
        Count(status.ToString(CultureInfo.InvariantCulture));
        RecordLatency(latency);
    }

    /// <summary>An acknowledged submit, from its first try's intended start (the acknowledged-submit row).</summary>
    public void RecordAcknowledged(TimeSpan latency)
    {
        Count("ack");
        RecordLatency(latency);
    }

    private void RecordLatency(TimeSpan latency) =>
        _recorder.RecordValue(Math.Clamp((long)latency.TotalMicroseconds, 1, HighestMicros));

    /// <summary>An HTTP error answer; not in the histogram, so that fast refusals do not flatter the percentiles.</summary>
    public void RecordError(int status)
    {
        Count(status.ToString(CultureInfo.InvariantCulture));
        Interlocked.Increment(ref _errors);
        if (status is >= 500 and <= 599)
        {
            Interlocked.Increment(ref _serverErrors);
        }
    }

    /// <summary>No HTTP answer at all: "timeout" or "connection".</summary>
    public void RecordFailure(string kind)
    {
        Count(kind);
        Interlocked.Increment(ref _errors);
    }

    private void Count(string key)
    {
        Interlocked.Increment(ref _requests);
        _statuses.AddOrUpdate(key, 1, static (_, n) => n + 1);
    }

    /// <summary>Latencies recorded since the last drain (also added to the total).</summary>
    public LatencySummary Drain()
    {
        lock (_drain)
        {
            var interval = _recorder.GetIntervalHistogram(_recycle);
            _total.Add(interval);
            var summary = LatencySummary.Of(interval);
            _recycle = interval;
            return summary;
        }
    }

    public LatencySummary Total()
    {
        lock (_drain)
        {
            return LatencySummary.Of(_total);
        }
    }

    public IReadOnlyDictionary<string, long> Statuses => new SortedDictionary<string, long>(_statuses, StringComparer.Ordinal);
}

/// <summary>Percentiles of a histogram of microseconds, in milliseconds.</summary>
public sealed record LatencySummary(long Count, double P50Ms, double P95Ms, double P99Ms, double MaxMs)
{
    public static LatencySummary Of(HistogramBase h) =>
        h.TotalCount == 0
            ? new LatencySummary(0, 0, 0, 0, 0)
            : new LatencySummary(h.TotalCount, Ms(h.GetValueAtPercentile(50)), Ms(h.GetValueAtPercentile(95)), Ms(h.GetValueAtPercentile(99)), Ms(h.GetMaxValue()));

    private static double Ms(long micros) => Math.Round(micros / 1000.0, 3);
}

/// <summary>Every endpoint's stats of one run.</summary>
public sealed class RunStats
{
    private readonly Dictionary<string, EndpointStats> _endpoints = Endpoints.All.ToDictionary(n => n, n => new EndpointStats(n), StringComparer.Ordinal);

    public EndpointStats this[string endpoint] => _endpoints[endpoint];

    public IEnumerable<EndpointStats> All => Endpoints.All.Select(n => _endpoints[n]);

    public long Requests => _endpoints.Values.Where(e => e.Name != Endpoints.SubmitAcknowledged).Sum(e => e.Requests);

    public long Errors => _endpoints.Values.Sum(e => e.Errors);
}
