using ExamConsole.Data.Telemetry;
using Microsoft.Extensions.Logging;

namespace ExamConsole.Data.Pool;

/// <summary>
/// The pool engine over Npgsql's pool, in four parts: leasing and recycling (<see cref="PoolLeasing"/>:
/// every lease timed, uses counted per backend, a backend replaced after Pool:MaxUses), warm-up and
/// resize (<see cref="PoolSizing"/>: generations of the data source, warmed to their minimum), the leak
/// watch (<see cref="PoolLeakWatch"/>) and memory pressure (<see cref="PoolMemoryPressure"/>). Open,
/// busy, idle and pending come from Npgsql's own metrics; the server's figures from the one
/// <see cref="IServerSampler"/>.
/// </summary>
public sealed class PoolEngine : IPoolEngine, ILeaseWatch
{
    private readonly ExamDataSource _dataSource;
    private readonly NpgsqlPoolMetrics _npgsql;
    private readonly IServerSampler _server;
    private readonly TimeProvider _time;
    private readonly PoolLeasing _leasing;
    private readonly PoolLeakWatch _leaks;
    private readonly PoolSizing _sizing;
    private readonly PoolMemoryPressure _pressure;

    public PoolEngine(
        ExamDataSource dataSource,
        NpgsqlPoolMetrics npgsql,
        PoolMeters meters,
        IProcessMemory memory,
        IServerSampler server,
        ServerView view,
        TimeProvider time,
        ILogger<PoolEngine> logger)
    {
        _dataSource = dataSource;
        _npgsql = npgsql;
        _server = server;
        _time = time;
        _leaks = new PoolLeakWatch(dataSource, meters, view, time, logger);
        _leasing = new PoolLeasing(dataSource, npgsql, meters, _leaks, time, logger);
        _sizing = new PoolSizing(dataSource, npgsql, server, logger);
        _pressure = new PoolMemoryPressure(_sizing, memory, logger);
        npgsql.ConnectionCreated += meters.RecordCreate;
    }

    public ExamDataSource DataSource => _dataSource;

    /// <summary>Takes a connection, opened, within Pool:AcquireTimeout.</summary>
    public Task<PoolLease> AcquireAsync(string source, CancellationToken cancellationToken) =>
        _leasing.AcquireAsync(source, cancellationToken);

    public PoolSnapshot Snapshot()
    {
        var generation = _dataSource.Current;
        var settings = generation.Settings;
        var reading = _npgsql.Read();
        var utilization = UtilizationBands.Utilization(reading.Used, settings.MaxSize);
        // Waiting backends are active too (waiting for a lock); the telemetry pool's own are not counted.
        var server = _server.Latest is { } stats ? new ServerConnections(stats.MaxConnections, stats.Active + stats.Waiting) : new ServerConnections(0, 0);
        return new PoolSnapshot(
            _time.GetUtcNow(),
            settings.MaxSize,
            settings.MinSize,
            reading.Open,
            reading.Used,
            reading.Idle,
            reading.Pending,
            utilization,
            settings.Bands.BandOf(utilization),
            _leasing.Acquire.Compute(),
            _leasing.Hold.Compute(),
            _leasing.Timeouts + reading.Timeouts,
            _leasing.LeasesTotal,
            _leasing.Recycled,
            generation.Number,
            server,
            new PoolLifecycle(
                settings.IdleTimeout.TotalSeconds,
                settings.ConnectionLifetime.TotalSeconds,
                settings.AcquireTimeout.TotalMilliseconds,
                settings.MaxUses,
                _pressure.UnderPressure,
                _pressure.Percent),
            _leasing.BackendUses(),
            _leaks.CountHeldPast(settings.LeakThreshold));
    }

    public TimeSpan Threshold => _leaks.Threshold;

    /// <summary>Acquisitions that ran out of Pool:AcquireTimeout since the start, counted without building a snapshot.</summary>
    public long AcquireTimeouts => _leasing.Timeouts;

    /// <summary>The leases held now, longest first.</summary>
    public IReadOnlyList<LeaseInfo> ActiveLeases() => _leaks.ActiveLeases();

    /// <summary>The leases held past Pool:LeakThreshold now, longest first.</summary>
    public IReadOnlyList<LeaseInfo> SuspectedLeaks() => _leaks.SuspectedLeaks();

    /// <summary>What the leak watch saw lately, newest first.</summary>
    public IReadOnlyList<LeakEvent> LeakEvents() => _leaks.LeakEvents();

    public Task<ServerLimit> ServerLimitAsync(CancellationToken cancellationToken) => _sizing.ServerLimitAsync(cancellationToken);

    public async Task<PoolSnapshot> ResizeAsync(int maxSize, int minSize, CancellationToken cancellationToken)
    {
        await _sizing.ResizeAsync(maxSize, minSize, cancellationToken);
        return Snapshot();
    }

    /// <summary>Puts a new acquire timeout in force (step 3 of the deployment's pool-exhaustion procedure, "connection timeout reduction"), as the next generation.</summary>
    public async Task<PoolSnapshot> SetAcquireTimeoutAsync(TimeSpan acquireTimeout, CancellationToken cancellationToken)
    {
        await _sizing.SetAcquireTimeoutAsync(acquireTimeout, cancellationToken);
        return Snapshot();
    }

    /// <summary>Opens connections of <paramref name="generation"/> until it holds at least its minimum (Npgsql does not): the start's warm-up, all at once.</summary>
    public Task WarmAsync(PoolGeneration generation, CancellationToken cancellationToken) =>
        _sizing.WarmAsync(generation, int.MaxValue, cancellationToken);

    /// <summary>One turn of the engine's watch: leaks, memory pressure, the backends' use counts, the minimum.</summary>
    public async Task TickAsync(CancellationToken cancellationToken)
    {
        await _leaks.WatchAsync(cancellationToken);
        await _pressure.CheckAsync(cancellationToken);
        _leasing.ForgetIdleBackends();
        await _sizing.TopUpAsync(cancellationToken);
    }
}
