namespace ExamConsole.Data.Pool;

/// <summary>Acquire-wait (or hold-time) percentiles over the sliding window, in milliseconds.</summary>
public sealed record LatencyPercentiles(double P50, double P95, double P99, int Samples);

/// <summary>What the server says about its connections (sampled, not per request).</summary>
public sealed record ServerConnections(int MaxConnections, int ActiveBackends);

/// <summary>
/// The one picture of the pool that the admin API, /metrics and the console all show. Open, busy,
/// idle and pending come from Npgsql's own metrics; acquire wait, timeouts and generations from the
/// engine; the server part from pg_stat_activity.
/// </summary>
public sealed record PoolSnapshot(
    DateTimeOffset At,
    int MaxSize,
    int MinSize,
    int Open,
    int Busy,
    int Idle,
    int Pending,
    double UtilizationPercent,
    string Band,
    LatencyPercentiles AcquireMs,
    LatencyPercentiles HoldMs,
    long TimeoutsTotal,
    long LeasesTotal,
    long RecycledTotal,
    int Generation,
    ServerConnections Server,
    PoolLifecycle Lifecycle,
    BackendUses BackendUses,
    int LeasesOverThreshold)
{
    /// <summary>The fleet's total budget this node's <see cref="MaxSize"/> is a share of (null where the fleet is not known).</summary>
    public int? FleetMaxSize { get; init; }

    /// <summary>The live nodes the budget is split over.</summary>
    public int? FleetNodes { get; init; }
}

/// <summary>The connection lifecycle in force, shortened while the process is under memory pressure.</summary>
public sealed record PoolLifecycle(
    double IdleTimeoutSeconds,
    double ConnectionLifetimeSeconds,
    double AcquireTimeoutMs,
    int MaxUses,
    bool MemoryPressure,
    double ProcessMemoryPercent);

/// <summary>Leases served per live backend (the engine's count; Npgsql has none).</summary>
public sealed record BackendUses(int Backends, long Max, double Mean);

/// <summary>Where the utilization bands start (section <c>Pool:Bands</c>); the deployment document's 30 % and 70 %.</summary>
public sealed class UtilizationBands
{
    public const string Green = "green";
    public const string Yellow = "yellow";
    public const string Red = "red";

    /// <summary>Yellow from this percentage on (green below).</summary>
    public double YellowFromPercent { get; set; } = 30;

    /// <summary>Red above this percentage.</summary>
    public double RedAbovePercent { get; set; } = 70;

    public string BandOf(double utilizationPercent) =>
        utilizationPercent > RedAbovePercent ? Red
        : utilizationPercent >= YellowFromPercent ? Yellow
        : Green;

    /// <summary>Utilization is busy connections over the pool's max size.</summary>
    public static double Utilization(int busy, int maxSize) => maxSize <= 0 ? 0 : Math.Round(100.0 * busy / maxSize, 2);
}
