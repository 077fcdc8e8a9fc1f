using ExamConsole.Api.Admin;
using ExamConsole.Console.Model;
using ExamConsole.Data.Pool;
using ExamConsole.Data.Telemetry;

namespace ExamConsole.Console.Tests.Fakes;

/// <summary>Samples with the figures a test cares about; every other figure plausible.</summary>
public static class Samples
{
    public static readonly DateTimeOffset Start = new(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);
    public static readonly UtilizationBands Bands = new();

    public static PoolSnapshot Pool(int busy = 12, int maxSize = 100, int minSize = 10, int generation = 1, double acquireP99 = 7.25, int pending = 0) =>
        new(
            Start,
            maxSize,
            minSize,
            Open: busy + 5,
            Busy: busy,
            Idle: 5,
            Pending: pending,
            UtilizationPercent: UtilizationBands.Utilization(busy, maxSize),
            Band: Bands.BandOf(UtilizationBands.Utilization(busy, maxSize)),
            AcquireMs: new LatencyPercentiles(0.4, 2.5, acquireP99, 100),
            HoldMs: new LatencyPercentiles(3, 9, 20, 100),
            TimeoutsTotal: 0,
            LeasesTotal: 1000,
            RecycledTotal: 4,
            Generation: generation,
            Server: new ServerConnections(300, 17),
            Lifecycle: new PoolLifecycle(15, 0, 3000, 15000, MemoryPressure: false, ProcessMemoryPercent: 1.5),
            BackendUses: new BackendUses(15, 80, 66.7),
            LeasesOverThreshold: 0);

    public static ConsoleSample Sample(
        int busy = 12,
        int maxSize = 100,
        DateTimeOffset? at = null,
        string circuit = "closed",
        int spoolDepth = 0,
        IReadOnlyList<RouteLatency>? routes = null,
        double shedPerSecond = 0) =>
        new(
            at ?? Start,
            Pool(busy, maxSize),
            new CircuitStatus(circuit, spoolDepth, spoolDepth > 0 ? (at ?? Start).AddSeconds(-42) : null, ForceFallback: false),
            new AdmissionSample(1024, 4096, 7, 0, 0, shedPerSecond),
            new ServerStats(Start, 300, 4, 20, 0, 0, 24),
            new MemorySample(200L << 20, 80L << 20, 24L << 30, 0.8, false),
            routes ?? []);
}
