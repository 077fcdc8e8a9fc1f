using ExamConsole.Data.Telemetry;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace ExamConsole.Data.Pool;

/// <summary>
/// Warm-up and resize: the settings operators put in force (max and min size, acquire timeout), each
/// change as the next generation of the data source, warmed to its minimum; and the lifecycle those
/// settings get under memory pressure. One change at a time.
/// </summary>
internal sealed class PoolSizing(ExamDataSource dataSource, NpgsqlPoolMetrics npgsql, IServerSampler server, ILogger logger)
{
    /// <summary>Most connections a warm-up opens at once while traffic runs.</summary>
    public const int WarmBatch = 64;

    private readonly SemaphoreSlim _changing = new(1, 1);
    private PoolSettings _configured = dataSource.Settings;
    private bool _underPressure;

    public bool UnderPressure => Volatile.Read(ref _underPressure);

    /// <summary>The configured settings (without the memory-pressure lifecycle), a copy.</summary>
    public PoolSettings Configured => Volatile.Read(ref _configured).Clone();

    /// <summary>The configured pressure mark, read every tick without copying the settings.</summary>
    public double MemoryPressurePercent => Volatile.Read(ref _configured).MemoryPressurePercent;

    /// <summary>What the server lets the pool have, from a sample read now.</summary>
    public async Task<ServerLimit> ServerLimitAsync(CancellationToken cancellationToken) =>
        new((await server.SampleAsync(cancellationToken)).MaxConnections, Volatile.Read(ref _configured).ServerReserve);

    /// <summary>Puts a size in force once <see cref="PoolSizeRule"/> accepts it against the server's limit of now.</summary>
    public async Task ResizeAsync(int maxSize, int minSize, CancellationToken cancellationToken)
    {
        if (PoolSizeRule.CheckBounds(maxSize, minSize) is { Count: > 0 } errors)
        {
            throw new PoolSizeInvalidException(maxSize, minSize, errors);
        }
        await ChangeAsync(
            async configured =>
            {
                // The bounds were checked above; the server's limit is read under the lock.
                if (PoolSizeRule.CheckServer(maxSize, await ServerLimitAsync(cancellationToken)) is { } refusal)
                {
                    throw refusal;
                }
                configured.MaxSize = maxSize;
                configured.MinSize = minSize;
            },
            generation => PoolLog.Resized(logger, generation.Number, maxSize, minSize),
            cancellationToken);
    }

    /// <summary>Puts a new acquire timeout in force (step 3 of the deployment's pool-exhaustion procedure, "connection timeout reduction").</summary>
    public Task SetAcquireTimeoutAsync(TimeSpan acquireTimeout, CancellationToken cancellationToken) =>
        ChangeAsync(
            configured =>
            {
                configured.AcquireTimeout = acquireTimeout;
                if (PoolSettingsValidator.Check(configured) is [var problem, ..])
                {
                    throw new ArgumentException(problem);
                }
                return Task.CompletedTask;
            },
            _ => { },
            cancellationToken);

    /// <summary>Shortens the lifecycle under memory pressure, or restores it, as the next generation; returns its settings.</summary>
    public async Task<PoolSettings> SetPressureAsync(bool underPressure, CancellationToken cancellationToken)
    {
        await _changing.WaitAsync(cancellationToken);
        try
        {
            Volatile.Write(ref _underPressure, underPressure);
            return dataSource.Swap(Effective(_configured, underPressure)).Settings;
        }
        finally
        {
            _changing.Release();
        }
    }

    private async Task ChangeAsync(Func<PoolSettings, Task> change, Action<PoolGeneration> inForce, CancellationToken cancellationToken)
    {
        await _changing.WaitAsync(cancellationToken);
        try
        {
            var configured = _configured.Clone();
            await change(configured);
            Volatile.Write(ref _configured, configured);
            var generation = dataSource.Swap(Effective(configured, UnderPressure));
            inForce(generation);
            await TryWarmAsync(generation, cancellationToken);
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
            PoolLog.WarmDeferred(logger, generation.Number, ex.Message);
        }
    }

    /// <summary>
    /// Connections lost to a server restart or a reclaim, or a resize's minimum, leave the pool under its
    /// minimum: tops it up a batch at a time, only while no connection is in use. A top-up holds every
    /// idle connection until its new ones are open, so under traffic requests would wait behind it
    /// (acquire p99 of 0.5 to 1.2 s measured while a resize to 5,000 was topped up under load);
    /// traffic opens what it needs itself meanwhile.
    /// </summary>
    public async Task TopUpAsync(CancellationToken cancellationToken)
    {
        var reading = npgsql.Read();
        var current = dataSource.Current;
        if (reading.Open < current.Settings.MinSize && reading.Pending == 0 && reading.Used == 0)
        {
            await WarmAsync(current, WarmBatch, cancellationToken);
        }
    }

    /// <param name="generation">The generation to warm.</param>
    /// <param name="maxNew">Most connections to open beyond those open now (one batch while traffic runs; all at start).</param>
    /// <param name="cancellationToken">Ends the warm-up.</param>
    public async Task WarmAsync(PoolGeneration generation, int maxNew, CancellationToken cancellationToken)
    {
        var target = (int)Math.Min(generation.Settings.MinSize, (long)npgsql.Read().Open + maxNew);
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
        PoolLog.Warmed(logger, generation.Number, target, generation.Settings.MinSize);
    }
}
