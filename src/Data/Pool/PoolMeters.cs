using System.Diagnostics.Metrics;

namespace ExamConsole.Data.Pool;

/// <summary>
/// The engine's own measurements, those Npgsql does not make (meter "ExamConsole.Pool"), and the pool's
/// figures under OpenTelemetry's database-client names where Npgsql publishes them under its own
/// (<c>db.client.connection.npgsql.*</c>) or not at all. Npgsql's <c>db.client.connection.count</c> and
/// <c>.max</c> already carry the conventional names and are not published again; the observable ones
/// (idle.min, pending_requests, timeouts) are in <see cref="PoolGauges"/>.
/// </summary>
public sealed class PoolMeters
{
    public const string MeterName = "ExamConsole.Pool";

    /// <summary>The conventions' pool attribute; its value is the data source's name (<see cref="ExamDataSource.PoolName"/>), as on Npgsql's own instruments.</summary>
    public const string PoolNameTag = "db.client.connection.pool.name";

    private static readonly double[] SecondsBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    private readonly KeyValuePair<string, object?> _pool = new(PoolNameTag, ExamDataSource.PoolName);
    private readonly Histogram<double> _waitTime;
    private readonly Histogram<double> _useTime;
    private readonly Histogram<double> _createTime;

    public PoolMeters(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        var seconds = new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets };
        AcquireDuration = meter.CreateHistogram("examconsole.pool.acquire.duration", "s", "Time to get a connection from the pool", advice: seconds);
        HoldDuration = meter.CreateHistogram("examconsole.pool.hold.duration", "s", "Time a lease kept its connection", advice: seconds);
        Timeouts = meter.CreateCounter<long>("examconsole.pool.acquire.timeouts", "{timeout}", "Leases refused after the acquire timeout");
        Recycled = meter.CreateCounter<long>("examconsole.pool.recycled", "{connection}", "Connections replaced after Pool:MaxUses leases");
        Leaks = meter.CreateCounter<long>("examconsole.pool.leaks", "{lease}", "Leases held past Pool:LeakThreshold");
        _waitTime = meter.CreateHistogram("db.client.connection.wait_time", "s", "The time it took to obtain an open connection from the pool", advice: seconds);
        _useTime = meter.CreateHistogram("db.client.connection.use_time", "s", "The time between borrowing a connection and returning it to the pool", advice: seconds);
        _createTime = meter.CreateHistogram("db.client.connection.create_time", "s", "The time it took to create a new connection", advice: seconds);
        Meter = meter;
    }

    public Meter Meter { get; }

    public Histogram<double> AcquireDuration { get; }

    public Histogram<double> HoldDuration { get; }

    public Counter<long> Timeouts { get; }

    public Counter<long> Recycled { get; }

    public Counter<long> Leaks { get; }

    /// <summary>A lease's wait for its connection: the engine's histogram and the conventions' wait_time.</summary>
    public void RecordAcquire(TimeSpan waited)
    {
        AcquireDuration.Record(waited.TotalSeconds);
        _waitTime.Record(waited.TotalSeconds, _pool);
    }

    /// <summary>How long a lease held its connection: the engine's histogram and the conventions' use_time.</summary>
    public void RecordHold(TimeSpan held)
    {
        HoldDuration.Record(held.TotalSeconds);
        _useTime.Record(held.TotalSeconds, _pool);
    }

    /// <summary>A physical connection's opening as Npgsql timed it (its db.client.connection.npgsql.create_time).</summary>
    public void RecordCreate(double seconds) => _createTime.Record(seconds, _pool);
}
