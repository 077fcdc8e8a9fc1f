using System.Net;
using System.Net.Http.Json;
using ExamConsole.Api.Tests.Support;

namespace ExamConsole.Api.Tests;

/// <summary>
/// Submits racing on one attempt: the database's unique indexes, not the application, must decide,
/// so that a retried or doubled submit is recorded exactly once.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class SubmitConcurrencyTests(ApiFixture fixture)
{
    private const int Racers = 20;

    [Fact]
    public async Task Submit_TwentyConcurrentIdenticalSubmits_AllAnswer200WithOneReceiptAndOneRow()
    {
        var attempt = await fixture.ActiveAttemptAsync();
        var body = new { submissionId = Guid.NewGuid(), answers = new[] { attempt.Answer(0, 1), attempt.Answer(1, 2) } };

        var responses = await RaceAsync(attempt, _ => body);

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var receipts = await Task.WhenAll(responses.Select(r => r.Content.ReadFromJsonAsync<SubmitBody>()));
        Assert.All(receipts, r => Assert.Equal("recorded", r!.Status));
        var receiptId = Assert.Single(receipts.Select(r => r!.ReceiptId).Distinct());
        Assert.Equal(1, await CountSubmissionsAsync(attempt));
        Assert.Equal(receiptId, await fixture.Data.ScalarAsync<Guid>("SELECT receipt_id FROM submissions WHERE attempt_id = @a", ("a", attempt.Id)));
    }

    [Fact]
    public async Task Submit_TwentyConcurrentSubmitsWithDifferentIds_OneAnswers200AndNineteen409()
    {
        var attempt = await fixture.ActiveAttemptAsync();
        var ids = Enumerable.Range(0, Racers).Select(_ => Guid.NewGuid()).ToArray();

        var responses = await RaceAsync(attempt, i => new { submissionId = ids[i], answers = new[] { attempt.Answer(0, i % 4) } });

        var winner = Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.Equal(Racers - 1, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        foreach (var loser in responses.Where(r => r != winner))
        {
            await loser.AssertProblemAsync(HttpStatusCode.Conflict);
        }
        Assert.Equal(1, await CountSubmissionsAsync(attempt));
        var winningId = ids[Array.IndexOf(responses, winner)];
        Assert.Equal(winningId, await fixture.Data.ScalarAsync<Guid>("SELECT submission_id FROM submissions WHERE attempt_id = @a", ("a", attempt.Id)));
        var receipt = await winner.Content.ReadFromJsonAsync<SubmitBody>();
        Assert.Equal(receipt!.ReceiptId, await fixture.Data.ScalarAsync<Guid>("SELECT receipt_id FROM submissions WHERE attempt_id = @a", ("a", attempt.Id)));
    }

    // Every racer is released by one gate, so the requests overlap instead of trickling in one by one.
    private static async Task<HttpResponseMessage[]> RaceAsync(ActiveAttempt attempt, Func<int, object> body)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var racers = Enumerable.Range(0, Racers).Select(async i =>
        {
            await gate.Task;
            return await attempt.Client.PostAsJsonAsync(attempt.SubmitUrl, body(i));
        }).ToArray();
        gate.SetResult();
        return await Task.WhenAll(racers);
    }

    private Task<long> CountSubmissionsAsync(ActiveAttempt attempt) =>
        fixture.Data.ScalarAsync<long>("SELECT count(*) FROM submissions WHERE attempt_id = @a", ("a", attempt.Id));
}
