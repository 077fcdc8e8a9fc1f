using System.Diagnostics.Metrics;

namespace ExamConsole.Data.Pool;

/// <summary>
/// The pool snapshot as gauges (meter "ExamConsole.Pool"), so that /metrics shows the same figures
/// as the admin API and the console, some of them also under OpenTelemetry's database-client names.
/// One snapshot is taken per collection, not one per gauge.
/// </summary>
public sealed class PoolGauges
{
    private readonly IPoolEngine _engine;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private PoolSnapshot? _last;
    private long _lastAt;

    public PoolGauges(IPoolEngine engine, PoolMeters meters, TimeProvider time)
    {
        _engine = engine;
        _time = time;
        var meter = meters.Meter;
        meter.CreateObservableGauge("examconsole.pool.utilization", () => Current().UtilizationPercent / 100, "1", "Busy connections over the pool's max size");
        meter.CreateObservableGauge("examconsole.pool.band", () => BandLevel(Current().Band), "{band}", "Utilization band: 0 green, 1 yellow, 2 red");
        meter.CreateObservableGauge("examconsole.pool.max_size", () => Current().MaxSize, "{connection}");
        meter.CreateObservableGauge("examconsole.pool.min_size", () => Current().MinSize, "{connection}");
        meter.CreateObservableGauge("examconsole.pool.generation", () => Current().Generation, "{generation}");
        meter.CreateObservableGauge("examconsole.pool.acquire.p99", () => Current().AcquireMs.P99 / 1000, "s", "99th percentile of the acquire wait over the sliding window");
        meter.CreateObservableGauge("examconsole.pool.leases_over_threshold", () => Current().LeasesOverThreshold, "{lease}");
        meter.CreateObservableGauge("examconsole.pool.memory_pressure", () => Current().Lifecycle.MemoryPressure ? 1 : 0, "1");
        meter.CreateObservableGauge("examconsole.server.max_connections", () => Current().Server.MaxConnections, "{connection}");
        meter.CreateObservableGauge("examconsole.server.active_backends", () => Current().Server.ActiveBackends, "{connection}");

        // OpenTelemetry's database-client names for what Npgsql publishes only under db.client.connection.npgsql.*
        // (pending, timeouts) or not at all (the minimum). Timeouts are Npgsql's and the engine's own acquire
        // timeouts together, as in the snapshot.
        var pool = new KeyValuePair<string, object?>(PoolMeters.PoolNameTag, ExamDataSource.PoolName);
        meter.CreateObservableUpDownCounter("db.client.connection.idle.min", () => new Measurement<int>(Current().MinSize, pool), "{connection}",
            "The minimum number of idle open connections allowed");
        meter.CreateObservableUpDownCounter("db.client.connection.pending_requests", () => new Measurement<int>(Current().Pending, pool), "{request}",
            "The number of current pending requests for an open connection");
        meter.CreateObservableCounter("db.client.connection.timeouts", () => new Measurement<long>(Current().TimeoutsTotal, pool), "{timeout}",
            "The number of connection timeouts that have occurred trying to obtain a connection from the pool");
    }

    private static int BandLevel(string band) => band switch
    {
        UtilizationBands.Red => 2,
        UtilizationBands.Yellow => 1,
        _ => 0,
    };

    private PoolSnapshot Current()
    {
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            if (_last is null || _time.GetElapsedTime(_lastAt, now) > TimeSpan.FromMilliseconds(500))
            {
                _last = _engine.Snapshot();
                _lastAt = now;
            }
            return _last;
        }
    }
}
