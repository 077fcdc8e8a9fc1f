using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace ExamConsole.Data.Pool;

/// <summary>
/// The pool engine over Npgsql's pool: every lease goes through it, so that it can time the wait
/// and the hold, count uses per backend and replace a backend after Pool:MaxUses, watch for leaks,
/// warm the pool to its minimum, resize it at run time by generations, and shorten the connection
/// lifecycle under memory pressure. Open, busy, idle and pending come from Npgsql's own metrics.
/// </summary>
public sealed partial class PoolEngine : IPoolEngine, ILeaseWatch, IAsyncDisposable
{
    private const int LeakEventCapacity = 200;
    private const int WarmBatch = 64;

    private readonly ExamDataSource _dataSource;
    private readonly NpgsqlPoolMetrics _npgsql;
    private readonly PoolMeters _meters;
    private readonly IProcessMemory _memory;
    private readonly TimeProvider _time;
    private readonly ILogger<PoolEngine> _logger;
    private readonly NpgsqlDataSource _control;
    private readonly SlidingPercentiles _acquire;
    private readonly SlidingPercentiles _hold;
    private readonly ConcurrentDictionary<long, PoolLease> _active = new();
    private readonly ConcurrentDictionary<int, BackendUse> _uses = new();
    private readonly ConcurrentQueue<LeakEvent> _leakEvents = new();
    private readonly SemaphoreSlim _changing = new(1, 1);

    private PoolSettings _configured;
    private bool _underPressure;
    private double _memoryPercent;
    private long _nextLeaseId;
    private long _leasesTotal;
    private long _timeouts;
    private long _recycled;
    private ServerConnections _server = new(0, 0);

    public PoolEngine(ExamDataSource dataSource, NpgsqlPoolMetrics npgsql, PoolMeters meters, IProcessMemory memory, TimeProvider time, ILogger<PoolEngine> logger)
    {
        _dataSource = dataSource;
        _npgsql = npgsql;
        _meters = meters;
        _memory = memory;
        _time = time;
        _logger = logger;
        _configured = dataSource.Settings;
        _acquire = new SlidingPercentiles(_configured.PercentileWindow, time);
        _hold = new SlidingPercentiles(_configured.PercentileWindow, time);
        // A small pool of its own for what must work when the main pool is exhausted: the server's
        // limits, the leak reclaim, the server figures.
        var control = new NpgsqlConnectionStringBuilder(dataSource.BaseConnectionString)
        {
            MaxPoolSize = 2,
            MinPoolSize = 0,
            Timeout = 5,
            CommandTimeout = 5,
            ApplicationName = "examconsole-engine",
        };
        _control = new NpgsqlDataSourceBuilder(control.ConnectionString) { Name = "exam-engine" }.Build();
    }

    public ExamDataSource DataSource => _dataSource;

    /// <summary>Takes a connection, opened, within Pool:AcquireTimeout.</summary>
    public async Task<PoolLease> AcquireAsync(string source, CancellationToken cancellationToken)
    {
        PoolGeneration generation;
        while (!(generation = _dataSource.Current).TryEnter())
        {
            // Retired between the read and the entry: a resize is in progress, take the next one.
        }
        var settings = generation.Settings;
        var started = _time.GetTimestamp();
        NpgsqlConnection? connection = null;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.AcquireTimeout);
        try
        {
            connection = generation.DataSource.CreateConnection();
            await connection.OpenAsync(timeout.Token);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && IsAcquireTimeout(ex, timeout))
        {
            await FailAcquireAsync(generation, connection);
            Interlocked.Increment(ref _timeouts);
            _meters.Timeouts.Add(1);
            var waitedMs = _time.GetElapsedTime(started).TotalMilliseconds;
            var busy = _npgsql.Read().Used;
            LogAcquireTimeout(settings.MaxSize, busy, waitedMs, source);
            throw PoolExhaustedException.For(settings, busy, waitedMs, ex);
        }
        catch
        {
            await FailAcquireAsync(generation, connection);
            throw;
        }

        var waited = _time.GetElapsedTime(started);
        _acquire.Record(waited.TotalMilliseconds);
        _meters.AcquireDuration.Record(waited.TotalSeconds);
        Interlocked.Increment(ref _leasesTotal);
        var pid = connection.ProcessID;
        var now = _time.GetTimestamp();
        var use = _uses.GetOrAdd(pid, static _ => new BackendUse());
        var uses = use.Count(now);
        var lease = new PoolLease(this, generation, connection, Interlocked.Increment(ref _nextLeaseId), source, _time.GetUtcNow(), now, pid, uses);
        _active[lease.Id] = lease;
        return lease;
    }

    private static bool IsAcquireTimeout(Exception ex, CancellationTokenSource timeout) =>
        timeout.IsCancellationRequested && ex is OperationCanceledException or NpgsqlException { InnerException: TimeoutException or OperationCanceledException }
        || ex is NpgsqlException { InnerException: TimeoutException };

    private static async ValueTask FailAcquireAsync(PoolGeneration generation, NpgsqlConnection? connection)
    {
        if (connection is not null)
        {
            await connection.DisposeAsync();
        }
        generation.Exit();
    }

    internal async ValueTask ReturnAsync(PoolLease lease)
    {
        _active.TryRemove(lease.Id, out _);
        var held = _time.GetElapsedTime(lease.TakenTimestamp);
        _hold.Record(held.TotalMilliseconds);
        _meters.HoldDuration.Record(held.TotalSeconds);
        if (lease.ReportedAsLeak)
        {
            AddLeakEvent(new LeakEvent(_time.GetUtcNow(), LeakEvent.Returned, lease.Id, lease.Source, lease.TakenAt, held.TotalSeconds, lease.BackendPid));
            LogLeakReturned(lease.Id, lease.Source, held.TotalSeconds);
        }
        try
        {
            if (lease.Uses >= lease.Generation.Settings.MaxUses && !lease.Reclaimed)
            {
                await RecycleAsync(lease);
            }
        }
        finally
        {
            await lease.Connection.DisposeAsync();
            lease.Generation.Exit();
        }
    }

    /// <summary>
    /// Npgsql cannot be told to drop one pooled connection, so the engine ends the backend from inside
    /// its own session: the connection comes back broken and Npgsql discards it instead of pooling it.
    /// </summary>
    private async Task RecycleAsync(PoolLease lease)
    {
        _uses.TryRemove(lease.BackendPid, out _);
        if (lease.Connection.State != System.Data.ConnectionState.Open)
        {
            return;
        }
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_terminate_backend(pg_backend_pid())", lease.Connection);
            await command.ExecuteNonQueryAsync();
        }
        catch (Exception ex) when (ex is PostgresException or NpgsqlException or InvalidOperationException)
        {
            // Expected: the server ends the session while answering.
        }
        Interlocked.Increment(ref _recycled);
        _meters.Recycled.Add(1);
        LogRecycled(lease.BackendPid, lease.Uses);
    }

    public PoolSnapshot Snapshot()
    {
        var generation = _dataSource.Current;
        var settings = generation.Settings;
        var reading = _npgsql.Read();
        var utilization = UtilizationBands.Utilization(reading.Used, settings.MaxSize);
        var uses = _uses.Values;
        var backendUses = uses.Count == 0
            ? new BackendUses(0, 0, 0)
            : new BackendUses(uses.Count, uses.Max(u => u.Uses), Math.Round(uses.Average(u => (double)u.Uses), 1));
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
            _acquire.Compute(),
            _hold.Compute(),
            Interlocked.Read(ref _timeouts) + reading.Timeouts,
            Interlocked.Read(ref _leasesTotal),
            Interlocked.Read(ref _recycled),
            generation.Number,
            Volatile.Read(ref _server),
            new PoolLifecycle(
                settings.IdleTimeout.TotalSeconds,
                settings.ConnectionLifetime.TotalSeconds,
                settings.AcquireTimeout.TotalMilliseconds,
                settings.MaxUses,
                Volatile.Read(ref _underPressure),
                Volatile.Read(ref _memoryPercent)),
            backendUses,
            CountHeldPast(settings.LeakThreshold));
    }

    private int CountHeldPast(TimeSpan threshold)
    {
        var since = _time.GetUtcNow() - threshold;
        return _active.Values.Count(l => l.TakenAt <= since);
    }

    public TimeSpan Threshold => _dataSource.Current.Settings.LeakThreshold;

    /// <summary>The leases held now, longest first.</summary>
    public IReadOnlyList<LeaseInfo> ActiveLeases() => Describe(_active.Values);

    /// <summary>The leases held past Pool:LeakThreshold now, longest first.</summary>
    public IReadOnlyList<LeaseInfo> SuspectedLeaks()
    {
        var since = _time.GetUtcNow() - _dataSource.Current.Settings.LeakThreshold;
        return Describe(_active.Values.Where(l => l.TakenAt <= since));
    }

    private List<LeaseInfo> Describe(IEnumerable<PoolLease> leases)
    {
        var now = _time.GetUtcNow();
        return leases
            .OrderBy(l => l.TakenAt)
            .Select(l => new LeaseInfo(l.Id, l.Source, l.TakenAt, Math.Round((now - l.TakenAt).TotalSeconds, 1), l.BackendPid, l.Generation.Number, l.Reclaimed))
            .ToList();
    }

    /// <summary>What the leak watch saw lately, newest first.</summary>
    public IReadOnlyList<LeakEvent> LeakEvents() => _leakEvents.Reverse().ToList();

    public async Task<ServerLimit> ServerLimitAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _control.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT current_setting('max_connections')::int", connection);
        var maxConnections = (int)(await command.ExecuteScalarAsync(cancellationToken))!;
        return new ServerLimit(maxConnections, _configured.ServerReserve);
    }

    public async Task<PoolSnapshot> ResizeAsync(int maxSize, int minSize, CancellationToken cancellationToken)
    {
        if (PoolSizeRule.CheckBounds(maxSize, minSize) is { Count: > 0 } errors)
        {
            throw new PoolSizeInvalidException(maxSize, minSize, errors);
        }
        await _changing.WaitAsync(cancellationToken);
        try
        {
            PoolSizeRule.Ensure(maxSize, minSize, await ServerLimitAsync(cancellationToken));
            var configured = _configured.Clone();
            configured.MaxSize = maxSize;
            configured.MinSize = minSize;
            _configured = configured;
            var generation = _dataSource.Swap(Effective(configured, Volatile.Read(ref _underPressure)));
            LogResized(generation.Number, maxSize, minSize);
            await TryWarmAsync(generation, cancellationToken);
            return Snapshot();
        }
        finally
        {
            _changing.Release();
        }
    }

    /// <summary>Puts a new acquire timeout in force (step 3 of the deployment's pool-exhaustion procedure, "connection timeout reduction"), as the next generation.</summary>
    public async Task<PoolSnapshot> SetAcquireTimeoutAsync(TimeSpan acquireTimeout, CancellationToken cancellationToken)
    {
        await _changing.WaitAsync(cancellationToken);
        try
        {
            var configured = _configured.Clone();
            configured.AcquireTimeout = acquireTimeout;
            if (PoolSettingsValidator.Check(configured) is [var problem, ..])
            {
                throw new ArgumentException(problem);
            }
            _configured = configured;
            var generation = _dataSource.Swap(Effective(configured, Volatile.Read(ref _underPressure)));
            await TryWarmAsync(generation, cancellationToken);
            return Snapshot();
        }
        finally
        {
            _changing.Release();
        }
    }

    /// <summary>
    /// Warms a new generation by one batch at most, but a resize is in force once swapped: when
    /// traffic holds the connections the warm-up would need, it gives up. The watch tops the pool
    /// up a batch a second while no connection is in use. (A warm holds every connection it takes until its
    /// batch is open, so that each new one is a distinct physical connection; warming thousands at
    /// once under load made requests wait a minute behind it in the 8,000-connection rehearsal.)
    /// </summary>
    private async Task TryWarmAsync(PoolGeneration generation, CancellationToken cancellationToken)
    {
        try
        {
            await WarmAsync(generation, WarmBatch, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is NpgsqlException or TimeoutException or InvalidOperationException or OperationCanceledException)
        {
            LogWarmDeferred(generation.Number, ex.Message);
        }
    }

    /// <summary>Opens connections of <paramref name="generation"/> until it holds at least its minimum (Npgsql does not): the start's warm-up, all at once.</summary>
    public Task WarmAsync(PoolGeneration generation, CancellationToken cancellationToken) =>
        WarmAsync(generation, int.MaxValue, cancellationToken);

    /// <param name="generation">The generation to warm.</param>
    /// <param name="maxNew">Most connections to open beyond those open now (one batch while traffic runs).</param>
    /// <param name="cancellationToken">Ends the warm-up.</param>
    private async Task WarmAsync(PoolGeneration generation, int maxNew, CancellationToken cancellationToken)
    {
        var target = (int)Math.Min(generation.Settings.MinSize, (long)_npgsql.Read().Open + maxNew);
        if (target == 0 || !generation.TryEnter())
        {
            return;
        }
        var opened = new List<NpgsqlConnection>(target);
        try
        {
            // Held all at once, so that each one is a distinct physical connection.
            for (var done = 0; done < target; done += WarmBatch)
            {
                var batch = Enumerable.Range(0, Math.Min(WarmBatch, target - done))
                    .Select(_ => generation.DataSource.OpenConnectionAsync(cancellationToken).AsTask());
                opened.AddRange(await Task.WhenAll(batch));
            }
        }
        finally
        {
            foreach (var connection in opened)
            {
                await connection.DisposeAsync();
            }
            generation.Exit();
        }
        LogWarmed(generation.Number, target, generation.Settings.MinSize);
    }

    /// <summary>One turn of the engine's watch: leaks, the minimum, memory pressure, the server's figures.</summary>
    public async Task TickAsync(CancellationToken cancellationToken)
    {
        await WatchLeasesAsync(cancellationToken);
        await CheckMemoryPressureAsync(cancellationToken);
        await SampleServerAsync(cancellationToken);
        ForgetIdleBackends();
        // Connections lost to a server restart or a reclaim, or a resize's minimum, leave the pool under its
        // minimum: top it up a batch at a time, only while no connection is in use. A top-up holds every
        // idle connection until its new ones are open, so under traffic requests would wait behind it
        // (acquire p99 of 0.5 to 1.2 s measured while a resize to 5,000 was topped up under load);
        // traffic opens what it needs itself meanwhile.
        var reading = _npgsql.Read();
        var current = _dataSource.Current;
        if (reading.Open < current.Settings.MinSize && reading.Pending == 0 && reading.Used == 0)
        {
            await WarmAsync(current, WarmBatch, cancellationToken);
        }
    }

    private async Task WatchLeasesAsync(CancellationToken cancellationToken)
    {
        var settings = _dataSource.Current.Settings;
        var now = _time.GetUtcNow();
        foreach (var lease in _active.Values)
        {
            var held = now - lease.TakenAt;
            if (held >= settings.LeakThreshold && !lease.ReportedAsLeak)
            {
                lease.ReportedAsLeak = true;
                _meters.Leaks.Add(1);
                AddLeakEvent(new LeakEvent(now, LeakEvent.Held, lease.Id, lease.Source, lease.TakenAt, held.TotalSeconds, lease.BackendPid));
                LogLeakSuspected(lease.Id, lease.Source, lease.TakenAt, lease.BackendPid, held.TotalSeconds);
            }
            if (settings.LeakReclaimAfter is { } reclaimAfter && held >= reclaimAfter && !lease.Reclaimed)
            {
                lease.Reclaimed = true;
                await TerminateBackendAsync(lease.BackendPid, cancellationToken);
                AddLeakEvent(new LeakEvent(now, LeakEvent.Reclaimed, lease.Id, lease.Source, lease.TakenAt, held.TotalSeconds, lease.BackendPid));
                LogLeakReclaimed(lease.Id, lease.Source, lease.BackendPid, held.TotalSeconds);
            }
        }
    }

    private async Task TerminateBackendAsync(int pid, CancellationToken cancellationToken)
    {
        await using var connection = await _control.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT pg_terminate_backend(@pid)", connection);
        command.Parameters.AddWithValue("pid", pid);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task CheckMemoryPressureAsync(CancellationToken cancellationToken)
    {
        var percent = _memory.LoadPercent();
        Volatile.Write(ref _memoryPercent, percent);
        var mark = _configured.MemoryPressurePercent;
        var pressure = Volatile.Read(ref _underPressure);
        // Five points of hysteresis, so that a load hovering at the mark does not flap the pool.
        var next = pressure ? percent >= mark - 5 : percent > mark;
        if (next == pressure)
        {
            return;
        }
        await _changing.WaitAsync(cancellationToken);
        try
        {
            Volatile.Write(ref _underPressure, next);
            var generation = _dataSource.Swap(Effective(_configured, next));
            LogMemoryPressure(next, percent, mark, generation.Settings.IdleTimeout.TotalSeconds, generation.Settings.ConnectionLifetime.TotalSeconds);
        }
        finally
        {
            _changing.Release();
        }
    }

    /// <summary>The settings in force: the configured ones, with a shorter lifecycle under memory pressure.</summary>
    private static PoolSettings Effective(PoolSettings configured, bool underPressure)
    {
        var effective = configured.Clone();
        if (underPressure)
        {
            effective.IdleTimeout = configured.PressureIdleTimeout < configured.IdleTimeout ? configured.PressureIdleTimeout : configured.IdleTimeout;
            effective.ConnectionLifetime = configured.ConnectionLifetime == TimeSpan.Zero || configured.PressureConnectionLifetime < configured.ConnectionLifetime
                ? configured.PressureConnectionLifetime
                : configured.ConnectionLifetime;
        }
        return effective;
    }

    private async Task SampleServerAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await _control.OpenConnectionAsync(cancellationToken);
            await using var command = new NpgsqlCommand(
                "SELECT current_setting('max_connections')::int, count(*) FILTER (WHERE state = 'active')::int FROM pg_stat_activity WHERE datname = current_database()",
                connection);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                Volatile.Write(ref _server, new ServerConnections(reader.GetInt32(0), reader.GetInt32(1)));
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            // The snapshot keeps the last figures; the circuit breaker and health checks speak for the outage.
        }
    }

    private void ForgetIdleBackends()
    {
        var horizon = _time.GetTimestamp() - (long)(TimeSpan.FromMinutes(10).TotalSeconds * _time.TimestampFrequency);
        foreach (var (pid, use) in _uses)
        {
            if (use.LastUsed < horizon)
            {
                _uses.TryRemove(pid, out _);
            }
        }
    }

    private void AddLeakEvent(LeakEvent leakEvent)
    {
        _leakEvents.Enqueue(leakEvent);
        while (_leakEvents.Count > LeakEventCapacity && _leakEvents.TryDequeue(out _))
        {
        }
    }

    public async ValueTask DisposeAsync() => await _control.DisposeAsync();

    /// <summary>Leases served by one backend; updated in place, so that counting a lease allocates nothing.</summary>
    private sealed class BackendUse
    {
        private long _uses;
        private long _lastUsed;

        public long Uses => Volatile.Read(ref _uses);

        public long LastUsed => Volatile.Read(ref _lastUsed);

        public long Count(long now)
        {
            Volatile.Write(ref _lastUsed, now);
            return Interlocked.Increment(ref _uses);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No connection within the acquire timeout (pool max {MaxSize}, busy {Busy}, waited {WaitedMs:F0} ms, for {Source})")]
    private partial void LogAcquireTimeout(int maxSize, int busy, double waitedMs, string source);

    [LoggerMessage(Level = LogLevel.Information, Message = "Backend {Pid} replaced after {Uses} uses (Pool:MaxUses)")]
    private partial void LogRecycled(int pid, long uses);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lease {LeaseId} held for {HeldSeconds:F1} s, past Pool:LeakThreshold: taken at {TakenAt:O} by {Source} on backend {Pid}")]
    private partial void LogLeakSuspected(long leaseId, string source, DateTimeOffset takenAt, int pid, double heldSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Lease {LeaseId} of {Source}, reported as held too long, came back after {HeldSeconds:F1} s")]
    private partial void LogLeakReturned(long leaseId, string source, double heldSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lease {LeaseId} of {Source} reclaimed after {HeldSeconds:F1} s (Pool:LeakReclaimAfter): backend {Pid} terminated")]
    private partial void LogLeakReclaimed(long leaseId, string source, int pid, double heldSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pool generation {Generation} in force: max {MaxSize}, min {MinSize}")]
    private partial void LogResized(int generation, int maxSize, int minSize);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pool generation {Generation} not warmed now ({Reason}); the watch tops it up when nobody waits")]
    private partial void LogWarmDeferred(int generation, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pool generation {Generation} warmed to {Connections} connections (minimum {MinSize})")]
    private partial void LogWarmed(int generation, int connections, int minSize);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Memory pressure {UnderPressure} (process at {Percent:F1} %, mark {Mark} %): idle timeout {IdleSeconds} s, connection lifetime {LifetimeSeconds} s")]
    private partial void LogMemoryPressure(bool underPressure, double percent, double mark, double idleSeconds, double lifetimeSeconds);
}
