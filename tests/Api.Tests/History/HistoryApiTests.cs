using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ExamConsole.Api.Admin;
using ExamConsole.Api.History;
using ExamConsole.Data.History;
using ExamConsole.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ExamConsole.Api.Tests.History;

/// <summary>The history and the report over HTTP on the real host: read back across a restart, percentiles from merged buckets, nonsense ranges.</summary>
[Collection(HistoryCollection.Name)]
public sealed class HistoryApiTests(HistoryFixture fixture)
{
    [Fact]
    public async Task History_written_before_a_restart_is_read_back_by_the_next_host()
    {
        var node = "restart-" + Guid.NewGuid().ToString("N")[..8];
        var first = fixture.Start(node);
        _ = first.Server;
        var recorder = first.Services.GetRequiredService<HistoryRecorder>();
        recorder.Sample();
        recorder.Sample();
        var written = recorder.BufferedSeconds();
        Assert.True(await recorder.FlushAsync(CancellationToken.None), "the first host wrote its samples");
        await first.DisposeAsync();

        await using var second = fixture.Start(node + "-next");
        using var viewer = await AdminClients.AsAsync(second, AdminPolicies.ViewerRole);
        var from = written[0].AddSeconds(-5);
        var history = await viewer.GetFromJsonAsync<HistoryResponse>(
            $"/api/admin/history?from={Iso(from)}&to={Iso(written[^1].AddSeconds(5))}&node={node}");

        Assert.Equal(1, history!.StepSeconds);
        var seen = history.Points.Select(p => p.At).ToHashSet();
        Assert.All(written, at => Assert.Contains(at, seen));
        // The node's share of the fleet's budget: utilization is busy over that.
        Assert.All(history.Points, p => Assert.InRange(p.MaxSize, 1, 40));
        Assert.All(history.Points, p => Assert.Equal(Math.Round(100 * p.Busy / p.MaxSize, 2), p.UtilizationPercent));
    }

    [Fact]
    public async Task The_reports_percentiles_equal_those_of_the_raw_latencies_at_the_buckets_resolution()
    {
        var route = $"/api/history-test-{Guid.NewGuid():N}/{{id:int}}";
        var routes = fixture.Service<RouteHistogramRecorder>();
        var recorder = fixture.Service<HistoryRecorder>();
        var random = new Random(16);
        var raw = new List<double>();
        var errors = 0;
        var start = DateTimeOffset.UtcNow.AddSeconds(-2);
        // Three harvests, so the report merges several seconds' counts.
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < 1000; i++)
            {
                // Log-normal around 4 ms with a slow tail: the shape of a real route.
                var ms = Math.Exp(Math.Log(4) + (0.8 * random.NextNormal())) + (i % 97 == 0 ? 400 : 0);
                var status = i % 50 == 0 ? 503 : 200;
                errors += status >= 500 ? 1 : 0;
                raw.Add(ms);
                routes.Record("GET", route, status, ms);
            }
            recorder.Sample();
        }
        Assert.True(await recorder.FlushAsync(CancellationToken.None));

        using var viewer = await AdminClients.AsAsync(fixture.Host, AdminPolicies.ViewerRole);
        var report = await viewer.GetFromJsonAsync<ReportResponse>($"/api/admin/report?from={Iso(start)}&to={Iso(DateTimeOffset.UtcNow.AddSeconds(5))}");

        var name = "GET " + RouteHistogramRecorder.Normalize(route);
        var line = Assert.Single(report!.Routes, r => r.Route == name);
        Assert.Equal(raw.Count, line.Requests);
        Assert.Equal(errors, line.Errors);
        Assert.Null(line.TargetMs);
        Assert.Null(line.Met);
        raw.Sort();
        foreach (var (percent, reported) in new[] { (50, line.P50Ms), (95, line.P95Ms), (99, line.P99Ms) })
        {
            var exact = raw[(int)Math.Ceiling(percent / 100.0 * raw.Count) - 1];
            Assert.Equal(Math.Round(LatencyBuckets.UpperBoundMs(LatencyBuckets.IndexOf(exact)), 3), reported);
            Assert.InRange(reported, exact - 0.001, (exact * (1 + LatencyBuckets.RelativeError)) + 0.001);
        }
        // The routes with a target are listed, judged only with traffic.
        var paper = Assert.Single(report.Routes, r => r.Route == "GET /api/exams/{examId}/paper");
        Assert.Equal(5, paper.TargetMs);
    }

    [Theory]
    [InlineData("", "2026-12-01T10:00:00Z", "from")]
    [InlineData("yesterday", "2026-12-01T10:00:00Z", "from")]
    [InlineData("{now-1h}", "not-a-time", "to")]
    [InlineData("{now-1h}", "{now-1h}", "to")]
    [InlineData("{now-1h}", "{now-2h}", "to")]
    [InlineData("{now-40d}", "{now-1h}", "to")]
    [InlineData("{now-31d}", "{now-30d}", "from")]
    public async Task A_nonsense_range_is_a_400_naming_the_field(string from, string to, string field)
    {
        using var viewer = await AdminClients.AsAsync(fixture.Host, AdminPolicies.ViewerRole);
        var now = DateTimeOffset.UtcNow;
        foreach (var path in new[] { "history", "report" })
        {
            var response = await viewer.GetAsync($"/api/admin/{path}?from={Uri.EscapeDataString(Resolve(from, now))}&to={Uri.EscapeDataString(Resolve(to, now))}");

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{path}: {problem}");
        }
    }

    [Fact]
    public async Task The_step_is_chosen_for_the_range_and_the_history_needs_a_viewer()
    {
        var now = DateTimeOffset.UtcNow;
        using var viewer = await AdminClients.AsAsync(fixture.Host, AdminPolicies.ViewerRole);
        var hour = await viewer.GetFromJsonAsync<HistoryResponse>($"/api/admin/history?from={Iso(now.AddHours(-1))}&to={Iso(now)}");
        var day = await viewer.GetFromJsonAsync<HistoryResponse>($"/api/admin/history?from={Iso(now.AddDays(-1))}&to={Iso(now)}");

        Assert.Equal(5, hour!.StepSeconds);
        Assert.Equal(300, day!.StepSeconds);
        Assert.NotEmpty(hour.Points);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Host.CreateClient().GetAsync($"/api/admin/history?from={Iso(now.AddHours(-1))}&to={Iso(now)}")).StatusCode);
    }

    internal static string Iso(DateTimeOffset at) => Uri.EscapeDataString(at.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture));

    private static string Resolve(string value, DateTimeOffset now)
    {
        if (!value.StartsWith("{now-", StringComparison.Ordinal))
        {
            return value;
        }
        var amount = int.Parse(value[5..^2], System.Globalization.CultureInfo.InvariantCulture);
        var at = value[^2] == 'd' ? now.AddDays(-amount) : now.AddHours(-amount);
        return at.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
    }
}
