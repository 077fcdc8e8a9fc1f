namespace ExamConsole.Data.History;

/// <summary>One node's figures for one second (or, rolled up, one minute's averages and sums).</summary>
public sealed record NodeSample(
    string Node,
    DateTimeOffset At,
    double Open,
    double Busy,
    double Idle,
    double Pending,
    double MaxSize,
    double AcquireP99Ms,
    long Requests,
    long Errors,
    long Shed,
    long Timeouts,
    int SpoolDepth,
    int Leaks,
    string Circuit);

/// <summary>One route's requests on one node in one second: counts per <see cref="LatencyBuckets"/> bucket from <see cref="FirstBucket"/> on.</summary>
public sealed record RouteSample(string Node, DateTimeOffset At, string Route, long Requests, long Errors, int FirstBucket, long[] Counts);

/// <summary>One point of the history: the nodes' figures over one step, summed over the nodes asked for.</summary>
public sealed record HistoryPoint(
    DateTimeOffset At,
    double Open,
    double Busy,
    double Idle,
    double Pending,
    double MaxSize,
    double AcquireP99Ms,
    long Requests,
    long Errors,
    long Shed,
    double SpoolDepth,
    string Circuit);

/// <summary>A route's requests over a range, with the merged counts of every bucket.</summary>
public sealed record RouteTotals(string Route, long Requests, long Errors, long[] Buckets);

/// <summary>The fleet's pool over a range.</summary>
public sealed record PoolTotals(double PeakUtilizationPercent, long GreenSeconds, long YellowSeconds, long RedSeconds, double AcquireP99Ms, long Timeouts);

/// <summary>A run of seconds in which something an operator must know held: kind, node, start, end (null: still holding at the range's end).</summary>
public sealed record HistoryIncident(string Kind, string Node, DateTimeOffset From, DateTimeOffset? To, string Detail);

/// <summary>Circuit states ordered from best to worst, so that a step or a minute shows the worst one seen.</summary>
public static class CircuitRank
{
    public static readonly string[] States = ["closed", "half_open", "open", "isolated"];

    /// <summary>SQL of the rank of column <c>circuit</c>.</summary>
    public const string Sql = "CASE circuit WHEN 'closed' THEN 0 WHEN 'half_open' THEN 1 WHEN 'open' THEN 2 ELSE 3 END";

    public static string Name(int rank) => States[Math.Clamp(rank, 0, States.Length - 1)];
}
