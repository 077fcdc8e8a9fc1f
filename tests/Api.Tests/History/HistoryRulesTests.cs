using ExamConsole.Api.History;
using ExamConsole.Data.History;

namespace ExamConsole.Api.Tests.History;

/// <summary>The fixed latency buckets and the choice of step, without a database.</summary>
public sealed class HistoryRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(-3.0, 0)]
    [InlineData(0.01, 0)]
    [InlineData(0.0101, 1)]
    [InlineData(1.0, 40)]
    [InlineData(10.0, 60)]
    [InlineData(100_000.0, 140)]
    [InlineData(1e9, 140)]
    public void A_latency_falls_in_the_first_bucket_whose_bound_holds_it(double milliseconds, int bucket) =>
        Assert.Equal(bucket, LatencyBuckets.IndexOf(milliseconds));

    [Fact]
    public void Every_latency_is_at_most_its_bucket_bound_and_above_the_bound_before()
    {
        var random = new Random(7);
        for (var i = 0; i < 10_000; i++)
        {
            var ms = Math.Pow(10, (random.NextDouble() * 7) - 2);
            var index = LatencyBuckets.IndexOf(ms);
            Assert.True(ms <= LatencyBuckets.UpperBoundMs(index) * (1 + 1e-9), $"{ms} in bucket {index}");
            Assert.True(index == 0 || ms > LatencyBuckets.UpperBoundMs(index - 1) * (1 - 1e-9), $"{ms} in bucket {index}");
        }
    }

    [Fact]
    public void A_percentile_is_read_from_the_merged_counts_by_nearest_rank()
    {
        var counts = new long[LatencyBuckets.Count];
        counts[40] = 90;
        counts[60] = 9;
        counts[80] = 1;

        Assert.Equal(1, LatencyBuckets.Percentile(counts, 50));
        Assert.Equal(1, LatencyBuckets.Percentile(counts, 90));
        Assert.Equal(10, LatencyBuckets.Percentile(counts, 95));
        Assert.Equal(10, LatencyBuckets.Percentile(counts, 99));
        Assert.Equal(100, LatencyBuckets.Percentile(counts, 100));
        Assert.Equal(0, LatencyBuckets.Percentile(new long[LatencyBuckets.Count], 99));
    }

    [Theory]
    [InlineData(600, 1)]
    [InlineData(1000, 1)]
    [InlineData(1001, 5)]
    [InlineData(3600, 5)]
    [InlineData(7200, 15)]
    [InlineData(86_400, 300)]
    [InlineData(172_800, 300)]
    public void The_step_is_the_smallest_giving_at_most_a_thousand_points(int seconds, int step)
    {
        var (chosen, resolution) = HistoryApi.Choose(Now.AddSeconds(-seconds), Now, Now, TimeSpan.FromDays(2));

        Assert.Equal(step, chosen);
        Assert.Equal(HistoryStore.Raw, resolution);
    }

    [Fact]
    public void A_range_starting_before_the_raw_retention_reads_minutes()
    {
        var (step, resolution) = HistoryApi.Choose(Now.AddDays(-3), Now.AddDays(-3).AddMinutes(10), Now, TimeSpan.FromDays(2));

        Assert.Equal(60, step);
        Assert.Equal(HistoryStore.Rollup, resolution);
        Assert.Equal(900, HistoryApi.Choose(Now.AddDays(-10), Now, Now, TimeSpan.FromDays(2)).StepSeconds);
    }

    [Fact]
    public void A_route_with_a_target_is_met_when_its_p95_is_within_it_and_missed_otherwise()
    {
        var fast = new long[LatencyBuckets.Count];
        fast[LatencyBuckets.IndexOf(2.5)] = 100;
        var slowTail = new long[LatencyBuckets.Count];
        slowTail[LatencyBuckets.IndexOf(4)] = 90;
        slowTail[LatencyBuckets.IndexOf(30)] = 10;
        RouteTarget[] targets = [new("POST /api/auth/login", 3), new("POST /api/attempts/{attemptId}/submit", 10), new("GET /api/exams/{examId}/paper", 5)];

        var report = HistoryApi.Judge(
            [new RouteTotals("POST /api/auth/login", 100, 0, fast), new RouteTotals("POST /api/attempts/{attemptId}/submit", 100, 1, slowTail), new RouteTotals("GET /api/exams", 100, 0, fast)],
            targets);

        Assert.Equal(["GET /api/exams", "GET /api/exams/{examId}/paper", "POST /api/attempts/{attemptId}/submit", "POST /api/auth/login"], report.Select(r => r.Route));
        Assert.True(report.Single(r => r.Route == "POST /api/auth/login").Met);
        Assert.False(report.Single(r => r.Route == "POST /api/attempts/{attemptId}/submit").Met);
        var idle = report.Single(r => r.Route == "GET /api/exams/{examId}/paper");
        Assert.Equal((5.0, 0L, (bool?)null), (idle.TargetMs!.Value, idle.Requests, idle.Met));
        Assert.Null(report.Single(r => r.Route == "GET /api/exams").Met);
    }
}
