using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using ExamConsole.Api.Admission;
using ExamConsole.Api.Resilience;
using ExamConsole.Api.Submissions.Spool;
using ExamConsole.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ExamConsole.Api.Tests.Faults;

[Collection(FaultCollection.Name)]
public sealed class OverloadTests(FaultFixture fixture)
{
    [Fact]
    public async Task Requests_AtTenTimesCapacity_AreServedOrShedPromptlyAndServerRecovers()
    {
        await fixture.AloneInTheFleetAsync();
        var gate = fixture.Factory.Services.GetRequiredService<AdmissionController>();
        var before = gate.State();
        // Capacity: 8 pooled connections behind a gate of 8 in flight and 16 queued. Ask for ten times that.
        gate.Update(maxConcurrent: 8, queueLimit: 16);
        var teachers = await fixture.TeachersWithAttemptsAsync(24);
        var question = await fixture.Data.ScalarAsync<int>("SELECT min(id) FROM questions WHERE exam_id = 1");
        var option = await fixture.Data.ScalarAsync<int>("SELECT min(id) FROM question_options WHERE question_id = @q", ("q", question));
        var answers = new ConcurrentBag<(HttpStatusCode Status, bool RetryAfter, TimeSpan Took)>();
        try
        {
            var requests = Enumerable.Range(0, 240).Select(async i =>
            {
                var (client, attemptId) = teachers[i % teachers.Count];
                var watch = Stopwatch.StartNew();
                var response = (i % 3) switch
                {
                    0 => await client.PutAsJsonAsync($"/api/attempts/{attemptId}/answers", new { answers = new[] { new { questionId = question, optionId = option } } }),
                    1 => await client.GetAsync($"/api/attempts/{attemptId}"),
                    _ => await client.GetAsync("/api/exams/1/paper"),
                };
                answers.Add((response.StatusCode, response.Headers.RetryAfter is not null, watch.Elapsed));
            });
            await Task.WhenAll(requests);
        }
        finally
        {
            gate.Update(before.MaxConcurrent, before.QueueLimit);
        }

        Assert.Equal(240, answers.Count);
        var wrong = answers.Where(a => a.Status is not (HttpStatusCode.OK or HttpStatusCode.NoContent or HttpStatusCode.ServiceUnavailable)).ToList();
        Assert.True(wrong.Count == 0, $"unexpected answers: {string.Join(", ", wrong.Select(w => (int)w.Status).Distinct())}");
        Assert.Contains(answers, a => a.Status == HttpStatusCode.ServiceUnavailable);
        Assert.All(answers.Where(a => a.Status == HttpStatusCode.ServiceUnavailable), a => Assert.True(a.RetryAfter));
        // Acquire timeout (1 s) + queue timeout (1 s) + a margin for two busy cores: nobody waits longer.
        var slowest = answers.Max(a => a.Took);
        Assert.True(slowest < TimeSpan.FromSeconds(5), $"slowest answer took {slowest.TotalMilliseconds:F0} ms");

        // Recovered, without a restart.
        var (first, firstAttempt) = teachers[0];
        Assert.Equal(HttpStatusCode.OK, (await first.GetAsync($"/api/attempts/{firstAttempt}")).StatusCode);
        using var anonymous = fixture.Factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public async Task Submit_WithFallbackForced_IsQueuedThenRecordedWhenReleased()
    {
        var resilience = fixture.Factory.Services.GetRequiredService<DatabaseResilience>();
        var spool = fixture.Factory.Services.GetRequiredService<SubmissionSpool>();
        var (client, attemptId) = (await fixture.TeachersWithAttemptsAsync(1))[0];
        var submissionId = Guid.NewGuid();
        resilience.ForceFallback = true;
        try
        {
            var response = await client.PostAsJsonAsync($"/api/attempts/{attemptId}/submit", new { submissionId, answers = Array.Empty<object>() });
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            Assert.Equal("queued", (await response.Content.ReadFromJsonAsync<ReceiptBody>())!.Status);
            Assert.Equal("queued", (await client.GetFromJsonAsync<ReceiptBody>($"/api/attempts/{attemptId}"))!.Status);
            // Repeating the same submit while queued answers the same receipt; another id is a conflict.
            var again = await client.PostAsJsonAsync($"/api/attempts/{attemptId}/submit", new { submissionId, answers = Array.Empty<object>() });
            Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
            var other = await client.PostAsJsonAsync($"/api/attempts/{attemptId}/submit", new { submissionId = Guid.NewGuid(), answers = Array.Empty<object>() });
            Assert.Equal(HttpStatusCode.Conflict, other.StatusCode);
            Assert.Equal(0, await fixture.Data.ScalarAsync<long>("SELECT count(*) FROM submissions WHERE submission_id = @s", ("s", submissionId)));
        }
        finally
        {
            resilience.ForceFallback = false;
        }

        await Eventually.TrueAsync(() => !spool.TryGetPending(attemptId, out _), "the replay", TimeSpan.FromSeconds(20));
        Assert.Equal(1, await fixture.Data.ScalarAsync<long>("SELECT count(*) FROM submissions WHERE submission_id = @s", ("s", submissionId)));
        Assert.Equal("submitted", (await client.GetFromJsonAsync<ReceiptBody>($"/api/attempts/{attemptId}"))!.Status);
    }

    [Fact]
    public async Task Requests_WhenEveryConnectionIsHeld_SubmitIsSpooledAndOthersGet503WithinTheAcquireTimeout()
    {
        await fixture.AloneInTheFleetAsync();
        var engine = fixture.Factory.Services.GetRequiredService<ExamConsole.Data.Pool.PoolEngine>();
        var spool = fixture.Factory.Services.GetRequiredService<SubmissionSpool>();
        var (client, attemptId) = (await fixture.TeachersWithAttemptsAsync(1))[0];
        var question = await fixture.Data.ScalarAsync<int>("SELECT min(id) FROM questions WHERE exam_id = 1");
        var option = await fixture.Data.ScalarAsync<int>("SELECT min(id) FROM question_options WHERE question_id = @q", ("q", question));
        var max = engine.Snapshot().MaxSize;
        var held = new List<ExamConsole.Data.Pool.PoolLease>();
        try
        {
            for (var i = 0; i < max; i++)
            {
                held.Add(await engine.AcquireAsync("test: holds the pool", CancellationToken.None));
            }
            var watch = Stopwatch.StartNew();
            var save = await client.PutAsJsonAsync($"/api/attempts/{attemptId}/answers", new { answers = new[] { new { questionId = question, optionId = option } } });
            var saveTook = watch.Elapsed;
            watch.Restart();
            var submit = await client.PostAsJsonAsync($"/api/attempts/{attemptId}/submit", new { submissionId = Guid.NewGuid(), answers = Array.Empty<object>() });
            var submitTook = watch.Elapsed;

            Assert.Equal(HttpStatusCode.ServiceUnavailable, save.StatusCode);
            Assert.NotNull(save.Headers.RetryAfter);
            Assert.Equal(HttpStatusCode.Accepted, submit.StatusCode);
            Assert.True(spool.TryGetPending(attemptId, out _));
            // Acquire timeout is 1 s here: bounded waits, not a hang (the margin covers two shared cores).
            Assert.True(saveTook < TimeSpan.FromSeconds(5), $"answer save took {saveTook.TotalMilliseconds:F0} ms");
            Assert.True(submitTook < TimeSpan.FromSeconds(5), $"submit took {submitTook.TotalMilliseconds:F0} ms");
        }
        finally
        {
            foreach (var lease in held)
            {
                await lease.DisposeAsync();
            }
        }
        await Eventually.TrueAsync(() => !spool.TryGetPending(attemptId, out _), "the replay", TimeSpan.FromSeconds(30));
        Assert.Equal("submitted", (await client.GetFromJsonAsync<ReceiptBody>($"/api/attempts/{attemptId}"))!.Status);
    }

    private sealed record ReceiptBody(string Status);
}
