using System.Diagnostics.Metrics;

namespace ExamConsole.Data.Pool;

/// <summary>The engine's own measurements, those Npgsql does not make (meter "ExamConsole.Pool").</summary>
public sealed class PoolMeters
{
    public const string MeterName = "ExamConsole.Pool";

    private static readonly double[] SecondsBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    public PoolMeters(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        AcquireDuration = meter.CreateHistogram("examconsole.pool.acquire.duration", "s", "Time to get a connection from the pool",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        HoldDuration = meter.CreateHistogram("examconsole.pool.hold.duration", "s", "Time a lease kept its connection",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        Timeouts = meter.CreateCounter<long>("examconsole.pool.acquire.timeouts", "{timeout}", "Leases refused after the acquire timeout");
        Recycled = meter.CreateCounter<long>("examconsole.pool.recycled", "{connection}", "Connections replaced after Pool:MaxUses leases");
        Leaks = meter.CreateCounter<long>("examconsole.pool.leaks", "{lease}", "Leases held past Pool:LeakThreshold");
        Meter = meter;
    }

    public Meter Meter { get; }

    public Histogram<double> AcquireDuration { get; }

    public Histogram<double> HoldDuration { get; }

    public Counter<long> Timeouts { get; }

    public Counter<long> Recycled { get; }

    public Counter<long> Leaks { get; }
}
