using System.Diagnostics;
using System.Diagnostics.Metrics;
using ExamConsole.Api.Resilience;
using ExamConsole.Data.Pool;
using ExamConsole.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace ExamConsole.Api.Tests.Telemetry;

/// <summary>
/// The pool's figures under OpenTelemetry's db.client.connection.* names, read on the real engine of a
/// real host: each one the same data as the engine's own figure or Npgsql's, tagged with the pool's name,
/// and none of Npgsql's own names published a second time. The host's background work (heartbeats,
/// history) uses the same pool, so counts are compared with their source rather than with a guess.
/// </summary>
[Collection(PoolConventionsCollection.Name)]
public sealed class PoolConventionMetricsTests(PoolConventionsFixture fixture)
{
    private static readonly string[] Conventional =
    [
        "db.client.connection.wait_time", "db.client.connection.use_time", "db.client.connection.create_time",
        "db.client.connection.idle.min", "db.client.connection.pending_requests", "db.client.connection.timeouts",
    ];

    private IMeterFactory Meters => fixture.Host.Services.GetRequiredService<IMeterFactory>();

    private PoolEngine Engine => fixture.Host.Services.GetRequiredService<PoolEngine>();

    [Fact]
    public async Task PoolUnderLoad_ConventionalInstruments_CarryTheEnginesAndNpgsqlsFigures()
    {
        // Each conventional collector starts before its source's, so it has seen everything the source has.
        using var waitTime = Collector<double>("db.client.connection.wait_time");
        using var acquire = Collector<double>("examconsole.pool.acquire.duration");
        using var useTime = Collector<double>("db.client.connection.use_time");
        using var hold = Collector<double>("examconsole.pool.hold.duration");
        using var createTime = Collector<double>("db.client.connection.create_time");
        using var npgsqlCreate = new MetricCollector<double>(null, "Npgsql", "db.client.connection.npgsql.create_time");
        using var pending = Collector<int>("db.client.connection.pending_requests");
        using var idleMin = Collector<int>("db.client.connection.idle.min");
        var engine = Engine;
        // Idle connections close, so the leases below open new ones, which Npgsql times.
        engine.DataSource.Current.DataSource.Clear();

        // The whole pool held; one more lease waits until they come back.
        var leases = new List<PoolLease>();
        for (var i = 0; i < PoolConventionsFixture.MaxSize; i++)
        {
            leases.Add(await engine.AcquireAsync("test", CancellationToken.None));
        }
        var heldFrom = Stopwatch.GetTimestamp();
        var waiting = engine.AcquireAsync("test-waiting", CancellationToken.None);
        var waitFrom = Stopwatch.GetTimestamp();
        await Eventually.TrueAsync(() => Observe(pending) >= 1, "a pending request is reported while the pool is full");
        var waitedAtLeast = Stopwatch.GetElapsedTime(waitFrom);
        var heldAtLeast = Stopwatch.GetElapsedTime(heldFrom);
        foreach (var lease in leases)
        {
            await lease.DisposeAsync();
        }
        await using (await Eventually.WithinAsync(waiting, "the waiting lease gets a returned connection"))
        {
        }

        Assert.Contains(waitTime.GetMeasurementSnapshot(), m => m.Value >= waitedAtLeast.TotalSeconds && IsOurPool(m));
        Assert.Contains(useTime.GetMeasurementSnapshot(), m => m.Value >= heldAtLeast.TotalSeconds && IsOurPool(m));
        await Eventually.TrueAsync(() => Covers(waitTime, acquire), "every acquire wait is also a db.client.connection.wait_time");
        await Eventually.TrueAsync(() => Covers(useTime, hold), "every hold is also a db.client.connection.use_time");
        Assert.NotEmpty(Ours(npgsqlCreate));
        await Eventually.TrueAsync(() => Covers(createTime, npgsqlCreate), "every connection Npgsql created is also a db.client.connection.create_time");
        Assert.All(createTime.GetMeasurementSnapshot(), m => Assert.True(IsOurPool(m)));
        Assert.Equal(PoolConventionsFixture.MinSize, Observe(idleMin));
        await Eventually.TrueAsync(() => Observe(pending) == 0, "no pending request is reported once the pool has room");
    }

    [Fact]
    public async Task AcquireTimeout_ConventionalTimeouts_CountItAsTheSnapshotDoes()
    {
        using var timeouts = Collector<long>("db.client.connection.timeouts");
        var engine = Engine;
        var before = engine.Snapshot().TimeoutsTotal;
        var leases = new List<PoolLease>();
        for (var i = 0; i < PoolConventionsFixture.MaxSize; i++)
        {
            leases.Add(await engine.AcquireAsync("test", CancellationToken.None));
        }

        await Assert.ThrowsAsync<PoolExhaustedException>(() => engine.AcquireAsync("test-timeout", CancellationToken.None));
        foreach (var lease in leases)
        {
            await lease.DisposeAsync();
        }

        Assert.True(engine.Snapshot().TimeoutsTotal >= before + 1);
        // Cumulative, as the snapshot: equal once nothing else times out (the gauges read a snapshot at most 0.5 s old).
        await Eventually.TrueAsync(() => Observe(timeouts) == engine.Snapshot().TimeoutsTotal, "db.client.connection.timeouts equals the snapshot's timeouts");
    }

    [Fact]
    public void ConventionalNames_PublishedOnce_OursOnlyWhereNpgsqlHasNone()
    {
        var ours = new List<string>();
        var npgsql = new List<string>();
        using (var listener = new MeterListener())
        {
            listener.InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == "Npgsql")
                {
                    npgsql.Add(instrument.Name);
                }
                else if (instrument.Meter.Scope == Meters && instrument.Name.StartsWith("db.client.", StringComparison.Ordinal))
                {
                    ours.Add(instrument.Name);
                }
            };
            listener.Start();
        }

        Assert.Equal(Conventional.Order(), ours.Order());
        Assert.Contains("db.client.connection.count", npgsql);
        Assert.Contains("db.client.connection.max", npgsql);
        Assert.Empty(ours.Intersect(npgsql));
    }

    [Fact]
    public async Task Metrics_Scraped_ShowConventionalPoolRuntimeRateLimitingAndPollyMetricsBesideTheOldNames()
    {
        using var client = fixture.Host.CreateClient();
        // A gated request, a lease and a call through the database pipeline, so that each meter has something to report.
        (await client.GetAsync("/api/exams")).Dispose();
        await using (await Engine.AcquireAsync("test", CancellationToken.None))
        {
        }
        await fixture.Host.Services.GetRequiredService<DatabaseResilience>().Once.ExecuteAsync(_ => ValueTask.FromResult(1));

        var lines = (await client.GetStringAsync("/metrics")).Split('\n');

        const string Pool = "db_client_connection_pool_name=\"exam\"";
        foreach (var (series, label) in new[]
        {
            ("db_client_connection_wait_time_seconds_bucket", Pool),
            ("db_client_connection_use_time_seconds_bucket", Pool),
            ("db_client_connection_create_time_seconds_bucket", Pool),
            ("db_client_connection_idle_min", Pool),
            ("db_client_connection_pending_requests", Pool),
            ("db_client_connection_timeouts_total", Pool),
            ("db_client_connection_count", Pool),
            ("examconsole_pool_acquire_duration_seconds_bucket", ""),
            ("examconsole_pool_utilization", ""),
            ("dotnet_gc_collections_total", ""),
            ("aspnetcore_rate_limiting_requests_total", ""),
            ("resilience_polly_pipeline_duration_milliseconds_bucket", "pipeline_name=\"database-once\""),
        })
        {
            Assert.True(lines.Any(l => l.StartsWith(series + "{", StringComparison.Ordinal) && l.Contains(label, StringComparison.Ordinal)), $"/metrics has no {series} series with {label}");
        }
    }

    private MetricCollector<T> Collector<T>(string instrument)
        where T : struct => new(Meters, PoolMeters.MeterName, instrument);

    private static T Observe<T>(MetricCollector<T> collector)
        where T : struct
    {
        collector.RecordObservableInstruments();
        var last = collector.LastMeasurement ?? throw new InvalidOperationException("Nothing observed.");
        Assert.True(IsOurPool(last));
        return last.Value;
    }

    private static bool IsOurPool<T>(CollectedMeasurement<T> m)
        where T : struct => m.Tags.TryGetValue(PoolMeters.PoolNameTag, out var pool) && pool as string == ExamDataSource.PoolName;

    private static List<double> Ours(MetricCollector<double> collector) =>
        [.. collector.GetMeasurementSnapshot().Where(IsOurPool).Select(m => m.Value)];

    // Every value the source recorded (for this pool, where tagged) is among the conventional instrument's values.
    private static bool Covers(MetricCollector<double> conventional, MetricCollector<double> source)
    {
        var values = conventional.GetMeasurementSnapshot().Select(m => m.Value).ToList();
        var sourceValues = source.GetMeasurementSnapshot()
            .Where(m => !m.Tags.ContainsKey(PoolMeters.PoolNameTag) || IsOurPool(m))
            .Select(m => m.Value);
        foreach (var value in sourceValues)
        {
            if (!values.Remove(value))
            {
                return false;
            }
        }
        return true;
    }
}
