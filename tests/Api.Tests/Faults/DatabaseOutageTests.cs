using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using ExamConsole.Api.Submissions.Spool;
using ExamConsole.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ExamConsole.Api.Tests.Faults;

[Collection(FaultCollection.Name)]
public sealed class DatabaseOutageTests(FaultFixture fixture)
{
    private const int Submissions = 240;

    [Fact]
    public async Task Submit_WhilePostgresCrashesAndReturns_EveryAcknowledgedSubmissionLandsExactlyOnce()
    {
        var teachers = await fixture.TeachersWithAttemptsAsync(Submissions);
        var question = await fixture.Data.ScalarAsync<int>("SELECT min(id) FROM questions WHERE exam_id = 1");
        var option = await fixture.Data.ScalarAsync<int>("SELECT min(id) FROM question_options WHERE question_id = @q", ("q", question));
        var outcomes = new ConcurrentBag<(long AttemptId, Guid SubmissionId, HttpStatusCode Status, Guid? Receipt)>();

        // Submissions keep arriving, a few at a time, before, during and after the crash.
        var sending = Task.Run(async () =>
        {
            foreach (var wave in teachers.Chunk(8))
            {
                await Task.WhenAll(wave.Select(async t =>
                {
                    var submissionId = Guid.NewGuid();
                    var response = await t.Client.PostAsJsonAsync($"/api/attempts/{t.AttemptId}/submit",
                        new { submissionId, answers = new[] { new { questionId = question, optionId = option } } });
                    var body = response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<ReceiptBody>() : null;
                    outcomes.Add((t.AttemptId, submissionId, response.StatusCode, body?.ReceiptId));
                }));
                await Task.Delay(100);
            }
        });
        await Eventually.TrueAsync(() => outcomes.Count >= 40, "40 submissions before the crash", TimeSpan.FromSeconds(30));
        await fixture.Postgres.Server.StopServerAsync("immediate");
        // The outage the scenario asks for: PostgreSQL stays down for 10 s.
        await Task.Delay(TimeSpan.FromSeconds(10));
        await fixture.Postgres.Server.StartServerAsync();
        await sending;

        Assert.Equal(Submissions, outcomes.Count);
        var unexpected = outcomes.Where(o => o.Status is not (HttpStatusCode.OK or HttpStatusCode.Accepted)).ToList();
        Assert.True(unexpected.Count == 0, $"{unexpected.Count} submissions were answered {string.Join(", ", unexpected.Select(o => (int)o.Status).Distinct())}");
        Assert.Contains(outcomes, o => o.Status == HttpStatusCode.Accepted);
        Assert.Contains(outcomes, o => o.Status == HttpStatusCode.OK);

        var spool = fixture.Factory.Services.GetRequiredService<SubmissionSpool>();
        await Eventually.TrueAsync(() => spool.Depth == 0, "the spool to drain", TimeSpan.FromSeconds(60));
        foreach (var outcome in outcomes)
        {
            var rows = await fixture.Data.ScalarAsync<long>("SELECT count(*) FROM submissions WHERE submission_id = @s", ("s", outcome.SubmissionId));
            Assert.Equal(1, rows);
            var receipt = await fixture.Data.ScalarAsync<Guid>("SELECT receipt_id FROM submissions WHERE submission_id = @s", ("s", outcome.SubmissionId));
            Assert.Equal(outcome.Receipt, receipt);
        }
        // Queued submissions became submitted without any further call from their clients.
        var (client, attemptId) = teachers.First(t => outcomes.Any(o => o.AttemptId == t.AttemptId && o.Status == HttpStatusCode.Accepted));
        var status = await client.GetFromJsonAsync<StatusBody>($"/api/attempts/{attemptId}");
        Assert.Equal("submitted", status!.Status);
    }

    private sealed record ReceiptBody(Guid ReceiptId, string Status);

    private sealed record StatusBody(string Status, Guid? ReceiptId);
}
