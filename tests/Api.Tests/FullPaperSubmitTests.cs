using System.Net;
using System.Net.Http.Json;
using ExamConsole.Api.Resilience;
using ExamConsole.Api.Submissions.Spool;
using ExamConsole.Api.Tests.Support;
using ExamConsole.Data.Stores;
using ExamConsole.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ExamConsole.Api.Tests;

/// <summary>
/// A whole paper (100 questions) submitted at once. The submission's question and option arrays are
/// the record of the submitted answers: the view attempt_answers (the submission over the answers saved before it)
/// is what the attempt's status and grading read.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class FullPaperSubmitTests(ApiFixture fixture)
{
    private const int Questions = 100;

    /// <summary>Question i answered with option i % 4: a quarter of them right (option 0 is the correct one).</summary>
    private static object[] FullPaper(ActiveAttempt attempt) =>
        Enumerable.Range(0, Questions).Select(i => attempt.Answer(i, i % 4)).ToArray();

    [Fact]
    public async Task Submit_FullPaper_StatusCountsEveryAnswerAndTheViewHoldsEachAsSent()
    {
        var attempt = await fixture.ActiveAttemptAsync(questions: Questions);

        var response = await attempt.Client.PostAsJsonAsync(attempt.SubmitUrl, new { submissionId = Guid.NewGuid(), answers = FullPaper(attempt) });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var status = await attempt.Client.GetFromJsonAsync<StatusBody>(attempt.StatusUrl);
        Assert.Equal("submitted", status!.Status);
        Assert.Equal(Questions, status.AnsweredCount);
        // Every question once, each with the option sent.
        var sentPairs = string.Join(",", Enumerable.Range(0, Questions).Select(i => $"{attempt.Paper.Questions[i].QuestionId}:{attempt.Paper.Questions[i].Options[i % 4].OptionId}").Order(StringComparer.Ordinal));
        Assert.Equal(sentPairs, await fixture.Data.ScalarAsync<string>(
            "SELECT string_agg(question_id || ':' || option_id, ',' ORDER BY (question_id || ':' || option_id) COLLATE \"C\") FROM attempt_answers WHERE attempt_id = @a", ("a", attempt.Id)));
        Assert.Equal(Questions, await fixture.Data.ScalarAsync<long>("SELECT count(*) FROM attempt_answers WHERE attempt_id = @a AND from_submission", ("a", attempt.Id)));
        // The row itself: the questions in the order sent, each one's option at the same position.
        var sentInOrder = string.Join(",", Enumerable.Range(0, Questions).Select(i => $"{attempt.Paper.Questions[i].QuestionId}:{attempt.Paper.Questions[i].Options[i % 4].OptionId}"));
        Assert.Equal(sentInOrder, await fixture.Data.ScalarAsync<string>(
            "SELECT string_agg(e.q || ':' || e.o, ',' ORDER BY e.n) FROM submissions s CROSS JOIN LATERAL unnest(s.question_ids, s.option_ids) WITH ORDINALITY AS e(q, o, n) WHERE s.attempt_id = @a", ("a", attempt.Id)));
    }

    [Fact]
    public async Task Submit_FullPaper_GradingFindsEveryQuestionAnsweredWithAnOptionOfItsOwn()
    {
        var attempt = await fixture.ActiveAttemptAsync(questions: Questions);
        // Half the paper saved first (all wrong), then the whole paper submitted: the submission wins.
        await attempt.Client.PutAsJsonAsync(attempt.AnswersUrl, new { answers = Enumerable.Range(0, 50).Select(i => attempt.Answer(i, 3)).ToArray() });

        var response = await attempt.Client.PostAsJsonAsync(attempt.SubmitUrl, new { submissionId = Guid.NewGuid(), answers = FullPaper(attempt) });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        const string grading = """
            SELECT count(*) FILTER (WHERE o.is_correct)::int * 1000 + count(*)::int
            FROM attempt_answers x
            JOIN attempts a ON a.id = x.attempt_id
            JOIN questions q ON q.id = x.question_id AND q.exam_id = a.exam_id
            JOIN question_options o ON o.id = x.option_id AND o.question_id = q.id
            WHERE x.attempt_id = @a
            """;
        // 25 right (i % 4 == 0) of 100 answered, every answer an option of its own question.
        Assert.Equal(25 * 1000 + Questions, await fixture.Data.ScalarAsync<int>(grading, ("a", attempt.Id)));
    }

    [Fact]
    public async Task Submit_FullPaperSameSubmissionIdTwice_OneRecordAndTheSameReceipt()
    {
        var attempt = await fixture.ActiveAttemptAsync(questions: Questions);
        var body = new { submissionId = Guid.NewGuid(), answers = FullPaper(attempt) };

        var first = await (await attempt.Client.PostAsJsonAsync(attempt.SubmitUrl, body)).Content.ReadFromJsonAsync<SubmitBody>();
        var again = await attempt.Client.PostAsJsonAsync(attempt.SubmitUrl, body);

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(first, await again.Content.ReadFromJsonAsync<SubmitBody>());
        Assert.Equal(1, await fixture.Data.ScalarAsync<long>("SELECT count(*) FROM submissions WHERE attempt_id = @a", ("a", attempt.Id)));
        Assert.Equal(Questions, await fixture.Data.ScalarAsync<long>("SELECT count(*) FROM attempt_answers WHERE attempt_id = @a", ("a", attempt.Id)));
    }

    [Fact]
    public async Task Submit_FullPaperOfAnotherTeachersAttempt_Answers403AndRecordsNothing()
    {
        var attempt = await fixture.ActiveAttemptAsync(questions: Questions);
        var (_, intruder) = await fixture.TeacherAsync(attempt.ExamId);

        var response = await intruder.PostAsJsonAsync(attempt.SubmitUrl, new { submissionId = Guid.NewGuid(), answers = FullPaper(attempt) });

        await response.AssertProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal(0, await fixture.Data.ScalarAsync<long>("SELECT count(*) FROM submissions WHERE attempt_id = @a", ("a", attempt.Id)));
    }

    [Fact]
    public async Task Submit_FullPaperPastTheDatabasesDeadline_Answers410AndRecordsNothing()
    {
        var attempt = await fixture.ActiveAttemptAsync(questions: Questions);
        // The node's copy still says in time: the batch's SQL holds the submit to the database's deadline.
        await fixture.MoveDeadlineAsync(attempt.Id, TimeSpan.FromHours(1));

        var response = await attempt.Client.PostAsJsonAsync(attempt.SubmitUrl, new { submissionId = Guid.NewGuid(), answers = FullPaper(attempt) });

        await response.AssertProblemAsync(HttpStatusCode.Gone);
        Assert.Equal(0, await fixture.Data.ScalarAsync<long>("SELECT count(*) FROM submissions WHERE attempt_id = @a", ("a", attempt.Id)));
    }

    [Fact]
    public async Task Submit_FullPaperSpooledThenReplayed_WritesTheSameRecordAsALiveSubmit()
    {
        var resilience = fixture.Factory.Services.GetRequiredService<DatabaseResilience>();
        var spool = fixture.Factory.Services.GetRequiredService<SubmissionSpool>();
        var live = await fixture.ActiveAttemptAsync(questions: Questions);
        var spooled = await fixture.ActiveAttemptAsync(questions: Questions);
        var recorded = await live.Client.PostAsJsonAsync(live.SubmitUrl, new { submissionId = Guid.NewGuid(), answers = FullPaper(live) });
        Assert.Equal(HttpStatusCode.OK, recorded.StatusCode);

        resilience.ForceFallback = true;
        try
        {
            var queued = await spooled.Client.PostAsJsonAsync(spooled.SubmitUrl, new { submissionId = Guid.NewGuid(), answers = FullPaper(spooled) });
            Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
        }
        finally
        {
            resilience.ForceFallback = false;
        }
        await Eventually.TrueAsync(() => !spool.TryGetPending(spooled.Id, out _), "the replay", TimeSpan.FromSeconds(20));

        // The same answers by position on the paper (question number, option position), in the same order.
        const string record = """
            SELECT string_agg(q.number || ':' || o.position, ',' ORDER BY e.n)
            FROM submissions s
            CROSS JOIN LATERAL unnest(s.question_ids, s.option_ids) WITH ORDINALITY AS e(qid, oid, n)
            JOIN questions q ON q.id = e.qid
            JOIN question_options o ON o.id = e.oid
            WHERE s.attempt_id = @a
            """;
        var liveRecord = await fixture.Data.ScalarAsync<string>(record, ("a", live.Id));
        Assert.NotNull(liveRecord);
        Assert.Equal(liveRecord, await fixture.Data.ScalarAsync<string>(record, ("a", spooled.Id)));
        var status = await spooled.Client.GetFromJsonAsync<StatusBody>(spooled.StatusUrl);
        Assert.Equal(("submitted", Questions), (status!.Status, status.AnsweredCount));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Batch_OfPapersOfDifferentLengths_EachRowHoldsItsOwnAnswersInOrder(bool live)
    {
        // One transaction carries every submission's answers in two flat arrays, sliced per row: a full
        // paper, an empty one and a short one, written together, must each keep exactly their own.
        var full = await fixture.ActiveAttemptAsync(questions: Questions);
        var empty = await fixture.ActiveAttemptAsync(questions: 3);
        var shortOne = await fixture.ActiveAttemptAsync(questions: 3);
        var store = fixture.Factory.Services.GetRequiredService<SubmissionStore>();
        static AcceptedSubmission Of(ActiveAttempt attempt, int[] questions) => new(
            Guid.NewGuid(), attempt.Id, attempt.Teacher.Id, Guid.NewGuid(), DateTimeOffset.UtcNow,
            questions.Select(i => attempt.Paper.Questions[i].QuestionId).ToArray(),
            questions.Select(i => attempt.Paper.Questions[i].Options[(i + 1) % 4].OptionId).ToArray());
        var batch = new[]
        {
            Of(full, Enumerable.Range(0, Questions).Reverse().ToArray()),
            Of(empty, []),
            Of(shortOne, [2, 0]),
        };

        var results = await store.WriteAsync(batch, live ? TimeSpan.FromSeconds(30) : null, CancellationToken.None);

        Assert.All(results, r => Assert.Equal(WriteOutcome.Recorded, r.Outcome));
        foreach (var submission in batch)
        {
            var expected = string.Join(",", submission.QuestionIds.Select((q, i) => $"{q}:{submission.OptionIds[i]}"));
            Assert.Equal(expected, await fixture.Data.ScalarAsync<string>(
                "SELECT coalesce(string_agg(e.q || ':' || e.o, ',' ORDER BY e.n), '') FROM submissions s CROSS JOIN LATERAL unnest(s.question_ids, s.option_ids) WITH ORDINALITY AS e(q, o, n) WHERE s.attempt_id = @a", ("a", submission.AttemptId)));
        }
        // The empty paper has its row, with two empty arrays.
        Assert.Equal(1, await fixture.Data.ScalarAsync<long>("SELECT count(*) FROM submissions WHERE attempt_id = @a AND question_ids = '{}' AND option_ids = '{}'", ("a", empty.Id)));
    }

    [Fact]
    public async Task Replay_AnswersNotOnTheAttemptsPaper_AreLeftOutOfTheRecord()
    {
        var attempt = await fixture.ActiveAttemptAsync(questions: 3);
        var other = await fixture.ActiveAttemptAsync(questions: 3);
        var store = fixture.Factory.Services.GetRequiredService<SubmissionStore>();
        var q = attempt.Paper.Questions;
        // Accepted while the paper was unknown: one answer of another exam, one option of another question.
        var submission = new AcceptedSubmission(
            Guid.NewGuid(), attempt.Id, attempt.Teacher.Id, Guid.NewGuid(), DateTimeOffset.UtcNow,
            [q[0].QuestionId, other.Paper.Questions[1].QuestionId, q[1].QuestionId, q[2].QuestionId],
            [q[0].Options[2].OptionId, other.Paper.Questions[1].Options[0].OptionId, q[0].Options[1].OptionId, q[2].Options[3].OptionId]);

        var results = await store.WriteAsync([submission], grace: null, CancellationToken.None);

        Assert.Equal(WriteOutcome.Recorded, results[0].Outcome);
        Assert.Equal($"{q[0].QuestionId}:{q[0].Options[2].OptionId},{q[2].QuestionId}:{q[2].Options[3].OptionId}", await fixture.Data.ScalarAsync<string>(
            "SELECT string_agg(question_id || ':' || option_id, ',' ORDER BY question_id) FROM attempt_answers WHERE attempt_id = @a", ("a", attempt.Id)));
    }
}
