using ExamConsole.Data.History;

namespace ExamConsole.Api.Tests.History;

/// <summary>The store and reader on the real database: minutes rolled up from their seconds, incidents found in the samples.</summary>
[Collection(HistoryCollection.Name)]
public sealed class HistoryStoreTests(HistoryFixture fixture)
{
    [Fact]
    public async Task A_minute_rolled_up_keeps_the_sums_and_the_merged_buckets_of_its_seconds()
    {
        var store = fixture.Service<HistoryStore>();
        var reader = fixture.Service<HistoryReader>();
        var node = "roll-" + Guid.NewGuid().ToString("N")[..8];
        var route = $"GET /api/roll-{Guid.NewGuid():N}";
        var now = DateTimeOffset.UtcNow.AddHours(-3);
        var minute = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
        var merged = new long[LatencyBuckets.Count];
        var samples = new List<NodeSample>();
        var routes = new List<RouteSample>();
        for (var i = 0; i < 60; i++)
        {
            var at = minute.AddSeconds(i);
            samples.Add(Sample(node, at) with { Busy = i, MaxSize = 100, Requests = 3, Circuit = i == 7 ? "open" : "closed" });
            var buckets = new long[LatencyBuckets.Count];
            buckets[LatencyBuckets.IndexOf(1 + i)] += 2;
            buckets[LatencyBuckets.IndexOf(0.5)] += 1;
            for (var b = 0; b < buckets.Length; b++)
            {
                merged[b] += buckets[b];
            }
            var (first, counts) = LatencyBuckets.Trim(buckets);
            routes.Add(new RouteSample(node, at, route, 3, i % 2, first, counts));
        }
        await store.WriteAsync(samples, routes, CancellationToken.None);

        Assert.True(await store.RollUpAsync(minute, minute.AddMinutes(1), CancellationToken.None));

        var point = Assert.Single(await reader.PointsAsync(minute, minute.AddMinutes(1), 60, HistoryStore.Rollup, node, CancellationToken.None));
        Assert.Equal(minute, point.At);
        Assert.Equal(29.5, point.Busy, 6);
        Assert.Equal(180, point.Requests);
        Assert.Equal("open", point.Circuit);
        var totals = Assert.Single(await reader.RoutesAsync(minute, minute.AddMinutes(1), HistoryStore.Rollup, CancellationToken.None), r => r.Route == route);
        Assert.Equal(180, totals.Requests);
        Assert.Equal(30, totals.Errors);
        Assert.Equal(merged, totals.Buckets);
        var rawTotals = Assert.Single(await reader.RoutesAsync(minute, minute.AddMinutes(1), HistoryStore.Raw, CancellationToken.None), r => r.Route == route);
        Assert.Equal(merged, rawTotals.Buckets);
    }

    [Fact]
    public async Task Incidents_are_the_runs_of_an_open_circuit_a_spool_shedding_and_a_node_gone_silent()
    {
        var store = fixture.Service<HistoryStore>();
        var reader = fixture.Service<HistoryReader>();
        var node = "incident-" + Guid.NewGuid().ToString("N")[..8];
        var now = DateTimeOffset.UtcNow.AddHours(-2);
        var start = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
        var samples = new List<NodeSample>();
        for (var i = 0; i < 60; i++)
        {
            if (i is >= 30 and < 45)
            {
                continue;
            }
            samples.Add(Sample(node, start.AddSeconds(i)) with
            {
                Circuit = i is >= 10 and < 15 ? "open" : "closed",
                SpoolDepth = i is >= 20 and < 23 ? 3 : 0,
                Shed = i is >= 50 and < 52 ? 5 : 0,
            });
        }
        await store.WriteAsync(samples, [], CancellationToken.None);

        var incidents = (await reader.IncidentsAsync(start, start.AddMinutes(2), HistoryStore.Raw, CancellationToken.None)).Where(i => i.Node == node).ToList();

        Assert.Equal(
            [
                ("circuit-open", start.AddSeconds(10), (DateTimeOffset?)start.AddSeconds(15)),
                ("spool-not-empty", start.AddSeconds(20), start.AddSeconds(23)),
                ("node-lost", start.AddSeconds(29), start.AddSeconds(45)),
                ("shedding", start.AddSeconds(50), start.AddSeconds(52)),
                ("node-lost", start.AddSeconds(59), null),
            ],
            incidents.Select(i => (i.Kind, i.From, i.To)));
        Assert.Equal("10 requests shed", incidents.Single(i => i.Kind == "shedding").Detail);
        Assert.Equal("deepest 3 queued", incidents.Single(i => i.Kind == "spool-not-empty").Detail);
    }

    private static NodeSample Sample(string node, DateTimeOffset at) =>
        new(node, at, 10, 2, 8, 0, 40, 1.5, 0, 0, 0, 0, 0, 0, "closed");
}
