using ExamConsole.Data.Pool;

namespace ExamConsole.Api.Tests.Admin;

/// <summary>
/// A pool engine that only keeps its numbers: a server of <see cref="ServerMaxConnections"/> with
/// <see cref="Reserve"/> kept back, refusing larger pools the way the real engine must.
/// </summary>
internal sealed class FakePoolEngine : IPoolEngine
{
    public const int ServerMaxConnections = 300;
    public const int Reserve = 50;
    public const int Allowed = ServerMaxConnections - Reserve;
    public const int Busy = 12;

    private static readonly UtilizationBands Bands = new();
    private readonly Lock _lock = new();
    private int _maxSize = 40;
    private int _minSize;
    private int _generation = 1;
    private int _resizes;

    /// <summary>Resizes put in force so far (refused ones not counted).</summary>
    public int Resizes
    {
        get
        {
            lock (_lock)
            {
                return _resizes;
            }
        }
    }

    public PoolSnapshot Snapshot()
    {
        lock (_lock)
        {
            var utilization = UtilizationBands.Utilization(Busy, _maxSize);
            return new PoolSnapshot(
                At: DateTimeOffset.UtcNow,
                MaxSize: _maxSize,
                MinSize: _minSize,
                Open: Busy + 3,
                Busy: Busy,
                Idle: 3,
                Pending: 1,
                UtilizationPercent: utilization,
                Band: Bands.BandOf(utilization),
                AcquireMs: new LatencyPercentiles(0.4, 2.5, 7.25, 100),
                HoldMs: new LatencyPercentiles(3, 9, 20, 100),
                TimeoutsTotal: 2,
                LeasesTotal: 1000,
                RecycledTotal: 4,
                Generation: _generation,
                Server: new ServerConnections(ServerMaxConnections, 17),
                Lifecycle: new PoolLifecycle(15, 0, 3000, 15000, MemoryPressure: false, ProcessMemoryPercent: 1.5),
                BackendUses: new BackendUses(15, 80, 66.7),
                LeasesOverThreshold: 0);
        }
    }

    public Task<int> ServerLimitAsync(CancellationToken cancellationToken) => Task.FromResult(Allowed);

    public Task<PoolSnapshot> ResizeAsync(int maxSize, int minSize, CancellationToken cancellationToken)
    {
        if (maxSize > Allowed)
        {
            throw new PoolSizeRejectedException(maxSize, ServerMaxConnections, Reserve);
        }
        lock (_lock)
        {
            _maxSize = maxSize;
            _minSize = minSize;
            _generation++;
            _resizes++;
        }
        return Task.FromResult(Snapshot());
    }
}
