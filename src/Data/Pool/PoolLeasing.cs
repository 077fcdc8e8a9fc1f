using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace ExamConsole.Data.Pool;

/// <summary>
/// Leasing and recycling: every connection is taken here within Pool:AcquireTimeout (timed), given back
/// here (hold timed), counted per backend, and its backend replaced after Pool:MaxUses leases.
/// </summary>
internal sealed class PoolLeasing
{
    private static readonly TimeSpan BackendMemory = TimeSpan.FromMinutes(10);

    private readonly ExamDataSource _dataSource;
    private readonly NpgsqlPoolMetrics _npgsql;
    private readonly PoolMeters _meters;
    private readonly PoolLeakWatch _leaks;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<int, BackendUse> _uses = new();
    private long _nextLeaseId;
    private long _leasesTotal;
    private long _timeouts;
    private long _recycled;

    public PoolLeasing(ExamDataSource dataSource, NpgsqlPoolMetrics npgsql, PoolMeters meters, PoolLeakWatch leaks, TimeProvider time, ILogger logger)
    {
        _dataSource = dataSource;
        _npgsql = npgsql;
        _meters = meters;
        _leaks = leaks;
        _time = time;
        _logger = logger;
        var window = dataSource.Settings.PercentileWindow;
        Acquire = new SlidingPercentiles(window, time);
        Hold = new SlidingPercentiles(window, time);
    }

    /// <summary>The acquire waits over the sliding window.</summary>
    public SlidingPercentiles Acquire { get; }

    /// <summary>The hold times over the sliding window.</summary>
    public SlidingPercentiles Hold { get; }

    public long LeasesTotal => Interlocked.Read(ref _leasesTotal);

    public long Timeouts => Interlocked.Read(ref _timeouts);

    public long Recycled => Interlocked.Read(ref _recycled);

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
            PoolLog.AcquireTimeout(_logger, settings.MaxSize, busy, waitedMs, source);
            throw PoolExhaustedException.For(settings, busy, waitedMs, ex);
        }
        catch
        {
            await FailAcquireAsync(generation, connection);
            throw;
        }

        var now = _time.GetTimestamp();
        var waited = _time.GetElapsedTime(started, now);
        Acquire.Record(waited.TotalMilliseconds);
        _meters.RecordAcquire(waited);
        Interlocked.Increment(ref _leasesTotal);
        var pid = connection.ProcessID;
        var uses = _uses.GetOrAdd(pid, static _ => new BackendUse()).Count(now);
        var lease = new PoolLease(this, generation, connection, Interlocked.Increment(ref _nextLeaseId), source, _time.GetUtcNow(), now, pid, uses);
        _leaks.Track(lease);
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
        var held = _time.GetElapsedTime(lease.TakenTimestamp);
        _leaks.Returned(lease, held);
        Hold.Record(held.TotalMilliseconds);
        _meters.RecordHold(held);
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
    /// Npgsql cannot be told to drop one pooled connection, so the backend is ended from inside its own
    /// session: the connection comes back broken and Npgsql discards it instead of pooling it.
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
        PoolLog.Recycled(_logger, lease.BackendPid, lease.Uses);
    }

    /// <summary>Leases served per backend seen lately.</summary>
    public BackendUses BackendUses()
    {
        var uses = _uses.Values;
        return uses.Count == 0
            ? new BackendUses(0, 0, 0)
            : new BackendUses(uses.Count, uses.Max(u => u.Uses), Math.Round(uses.Average(u => (double)u.Uses), 1));
    }

    /// <summary>Forgets the backends no lease used for ten minutes (closed since, most likely).</summary>
    public void ForgetIdleBackends()
    {
        var horizon = _time.GetTimestamp() - (long)(BackendMemory.TotalSeconds * _time.TimestampFrequency);
        foreach (var (pid, use) in _uses)
        {
            if (use.LastUsed < horizon)
            {
                _uses.TryRemove(pid, out _);
            }
        }
    }

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
}
