using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using ExamConsole.Data.Bouncer;
using ExamConsole.Data.Pool;
using ExamConsole.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ExamConsole.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class PoolResizeUnderLoadTests(ApiFixture fixture)
{
    private const int Workers = 12;

    [Fact]
    public async Task ResizeEndpoint_WhileTeachersAreServed_NoRequestFailsAndServerConverges()
    {
        var engine = fixture.Factory.Services.GetRequiredService<IPoolEngine>();
        // Puts the fleet's budget back afterwards, through the desired state as an operator would.
        await using var keep = fixture.KeepPoolSize();
        var before = engine.Snapshot();
        var statuses = new ConcurrentBag<HttpStatusCode>();
        using var stop = new CancellationTokenSource();
        var clients = new List<(HttpClient Client, long AttemptId)>();
        for (var i = 0; i < Workers; i++)
        {
            var teacher = await fixture.Data.CreateTeacherAsync();
            var client = await fixture.Factory.TeacherClientAsync(teacher.Code, teacher.Password);
            var started = await client.PostAsync("/api/exams/1/attempts", null);
            var attempt = await started.Content.ReadFromJsonAsync<AttemptBody>();
            clients.Add((client, attempt!.AttemptId));
        }
        var questionId = await fixture.Data.ScalarAsync<int>("SELECT min(id) FROM questions WHERE exam_id = 1");
        var optionId = await fixture.Data.ScalarAsync<int>("SELECT min(id) FROM question_options WHERE question_id = @q", ("q", questionId));

        var load = clients.Select(c => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var save = await c.Client.PutAsJsonAsync($"/api/attempts/{c.AttemptId}/answers", new { answers = new[] { new { questionId, optionId } } });
                statuses.Add(save.StatusCode);
                var status = await c.Client.GetAsync($"/api/attempts/{c.AttemptId}");
                statuses.Add(status.StatusCode);
            }
        })).ToList();

        try
        {
            using var admin = ApiFixture.ClientWithToken(fixture.Factory, await fixture.OperatorTokenAsync());
            foreach (var size in new[] { 10, 50, 5, 20 })
            {
                var countBefore = statuses.Count;
                var resized = await admin.PutAsJsonAsync("/api/admin/pool/size", new { maxSize = size, minSize = size });
                Assert.Equal(HttpStatusCode.OK, resized.StatusCode);
                var snapshot = await resized.Content.ReadFromJsonAsync<SnapshotBody>();
                Assert.Equal(size, snapshot!.MaxSize);
                await WaitForBackendsAsync(size);
                // Keep serving on the new size for a while before the next change.
                await Eventually.TrueAsync(() => statuses.Count >= countBefore + 200, "200 more requests on the new size", TimeSpan.FromSeconds(30));
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(load);
        }

        Assert.True(statuses.Count > 800, $"only {statuses.Count} requests were made");
        var failed = statuses.Where(s => s is not (HttpStatusCode.NoContent or HttpStatusCode.OK)).ToList();
        Assert.True(failed.Count == 0, $"{failed.Count} of {statuses.Count} requests failed: {string.Join(", ", failed.Distinct())}");
        Assert.Equal(before.Generation + 4, engine.Snapshot().Generation);
    }

    // Direct, each pooled connection is a backend. Behind PgBouncer (the suite's second pass) it is a
    // client of PgBouncer, and PgBouncer decides the backends: its SHOW CLIENTS must show them.
    private Task WaitForBackendsAsync(int expected) => fixture.Postgres.Bouncer is { } bouncer
        ? Eventually.UntilAsync(
            async () =>
            {
                await using var console = await BouncerConsole.ConnectAsync(bouncer.ConnectionStringFor("pgbouncer"), CancellationToken.None);
                return (await console.QueryAsync("SHOW CLIENTS", CancellationToken.None))
                    .Count(c => c.GetValueOrDefault("database") == "exam" && c.GetValueOrDefault("application_name") == "examconsole");
            },
            count => count == expected, $"PgBouncer's SHOW CLIENTS to show {expected} connections of the app's pool", TimeSpan.FromSeconds(20))
        : Eventually.UntilAsync(
            () => fixture.Data.ScalarAsync<long>("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'examconsole'"),
            count => count == expected, $"pg_stat_activity to show {expected} backends of the app", TimeSpan.FromSeconds(20));

    private sealed record AttemptBody(long AttemptId);

    private sealed record SnapshotBody(int MaxSize, int MinSize, int Generation);
}
