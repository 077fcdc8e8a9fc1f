using System.Net;
using System.Net.Http.Json;
using ExamConsole.Api.Tests.Support;

namespace ExamConsole.Api.Tests;

/// <summary>
/// An answer save checks owner, submission and deadline in its one SQL statement, against the
/// database's attempt row: what this node remembers of the attempt is not the last word.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class AnswerSaveChecksTests(ApiFixture fixture)
{
    [Fact]
    public async Task Save_FullPaper_Answers204AndStatusCountsEveryAnswer()
    {
        var attempt = await fixture.ActiveAttemptAsync(questions: 100);

        var response = await attempt.Client.PutAsJsonAsync(attempt.AnswersUrl, new { answers = Enumerable.Range(0, 100).Select(i => attempt.Answer(i, i % 4)).ToArray() });

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var status = await attempt.Client.GetFromJsonAsync<StatusBody>(attempt.StatusUrl);
        Assert.Equal(("in_progress", 100), (status!.Status, status.AnsweredCount));
        Assert.Equal(100, await fixture.Data.ScalarAsync<long>("SELECT count(*) FROM answers WHERE attempt_id = @a", ("a", attempt.Id)));
    }

    [Fact]
    public async Task Save_AfterASubmitThisNodeDidNotSee_Answers409AndStoresNothing()
    {
        var attempt = await fixture.ActiveAttemptAsync();
        // Submitted through another node: this node's copy of the attempt does not know it.
        await fixture.Data.ExecuteAsync(
            "INSERT INTO submissions (submission_id, attempt_id, receipt_id, question_ids, option_ids, accepted_at, recorded_at) VALUES (gen_random_uuid(), @a, gen_random_uuid(), '{}', '{}', now(), now())",
            ("a", attempt.Id));

        var response = await attempt.Client.PutAsJsonAsync(attempt.AnswersUrl, new { answers = new[] { attempt.Answer(0, 0) } });

        await response.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(0, await fixture.Data.ScalarAsync<long>("SELECT count(*) FROM answers WHERE attempt_id = @a", ("a", attempt.Id)));
    }

    [Fact]
    public async Task Save_AfterAnOperatorMovedTheDeadlineLater_IsSaved()
    {
        var attempt = await fixture.ActiveAttemptAsync();
        await fixture.MoveDeadlineAsync(attempt.Id, TimeSpan.FromHours(1));
        var late = await attempt.Client.PutAsJsonAsync(attempt.AnswersUrl, new { answers = new[] { attempt.Answer(0, 0) } });
        await late.AssertProblemAsync(HttpStatusCode.Gone);

        // The node now remembers a deadline in the past; the database's word wins before a refusal.
        await fixture.Data.ExecuteAsync("UPDATE attempts SET deadline = now() + interval '30 minutes' WHERE id = @id", ("id", attempt.Id));
        var response = await attempt.Client.PutAsJsonAsync(attempt.AnswersUrl, new { answers = new[] { attempt.Answer(0, 0) } });

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }
}
