using System.Net;
using System.Net.Http.Json;
using ExamConsole.Api.Resilience;
using ExamConsole.Api.Submissions;
using ExamConsole.Api.Submissions.Spool;
using ExamConsole.Api.Tests.Support;
using ExamConsole.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ExamConsole.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class SubmitTests(ApiFixture fixture)
{
    [Fact]
    public async Task Submit_FirstTime_Answers200WithReceiptAndRecordsOneSubmission()
    {
        var attempt = await fixture.ActiveAttemptAsync();
        var submissionId = Guid.NewGuid();

        var response = await attempt.Client.PostAsJsonAsync(attempt.SubmitUrl, new { submissionId, answers = new[] { attempt.Answer(0, 3), attempt.Answer(4, 2) } });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var receipt = await response.Content.ReadFromJsonAsync<SubmitBody>();
        Assert.NotNull(receipt);
        Assert.Equal("recorded", receipt.Status);
        Assert.NotEqual(Guid.Empty, receipt.ReceiptId);
        Assert.Equal(1, await CountSubmissionsAsync(attempt));
        Assert.Equal(receipt.ReceiptId, await fixture.Data.ScalarAsync<Guid>(
            "SELECT receipt_id FROM submissions WHERE attempt_id = @a AND submission_id = @s", ("a", attempt.Id), ("s", submissionId)));
        Assert.Equal(attempt.Paper.Questions[4].Options[2].OptionId, await fixture.Data.ScalarAsync<int>(
            "SELECT option_id FROM attempt_answers WHERE attempt_id = @a AND question_id = @q", ("a", attempt.Id), ("q", attempt.Paper.Questions[4].QuestionId)));
    }

    [Fact]
    public async Task Submit_FinalAnswers_OverrideSavedOnesAndKeepTheOthers()
    {
        var attempt = await fixture.ActiveAttemptAsync();
        await attempt.Client.PutAsJsonAsync(attempt.AnswersUrl, new { answers = new[] { attempt.Answer(0, 0), attempt.Answer(1, 1) } });

        var response = await attempt.Client.PostAsJsonAsync(attempt.SubmitUrl, new { submissionId = Guid.NewGuid(), answers = new[] { attempt.Answer(1, 3) } });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, await fixture.Data.ScalarAsync<long>("SELECT count(*) FROM attempt_answers WHERE attempt_id = @a", ("a", attempt.Id)));
        Assert.Equal(attempt.Paper.Questions[1].Options[3].OptionId, await fixture.Data.ScalarAsync<int>(
            "SELECT option_id FROM attempt_answers WHERE attempt_id = @a AND question_id = @q", ("a", attempt.Id), ("q", attempt.Paper.Questions[1].QuestionId)));
    }

    [Fact]
    public async Task Submit_EmptyAnswerList_SubmitsTheSavedAnswers()
    {
        var attempt = await fixture.ActiveAttemptAsync();
        await attempt.Client.PutAsJsonAsync(attempt.AnswersUrl, new { answers = new[] { attempt.Answer(2, 2) } });

        var response = await attempt.Client.PostAsJsonAsync(attempt.SubmitUrl, new { submissionId = Guid.NewGuid(), answers = Array.Empty<object>() });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, await CountSubmissionsAsync(attempt));
        Assert.Equal(1, await fixture.Data.ScalarAsync<long>("SELECT count(*) FROM attempt_answers WHERE attempt_id = @a", ("a", attempt.Id)));
    }

    [Fact]
    public async Task Submit_SameSubmissionIdAgain_Answers200WithTheSameReceipt()
    {
        var attempt = await fixture.ActiveAttemptAsync();
        var body = new { submissionId = Guid.NewGuid(), answers = new[] { attempt.Answer(0, 1) } };

        var first = await attempt.Client.PostAsJsonAsync(attempt.SubmitUrl, body);
        var again = await attempt.Client.PostAsJsonAsync(attempt.SubmitUrl, body);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(await first.Content.ReadFromJsonAsync<SubmitBody>(), await again.Content.ReadFromJsonAsync<SubmitBody>());
        Assert.Equal(1, await CountSubmissionsAsync(attempt));
    }

    [Fact]
    public async Task Submit_SameSubmissionIdAfterTheDeadline_StillAnswersTheSameReceipt()
    {
        var attempt = await fixture.ActiveAttemptAsync();
        var body = new { submissionId = Guid.NewGuid(), answers = new[] { attempt.Answer(0, 1) } };
        var first = await (await attempt.Client.PostAsJsonAsync(attempt.SubmitUrl, body)).Content.ReadFromJsonAsync<SubmitBody>();
        await fixture.MoveDeadlineAsync(attempt.Id, TimeSpan.FromHours(1));

        var again = await attempt.Client.PostAsJsonAsync(attempt.SubmitUrl, body);

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(first, await again.Content.ReadFromJsonAsync<SubmitBody>());
    }

    [Fact]
    public async Task Submit_AnotherSubmissionIdAfterSubmit_Answers409AndKeepsTheFirst()
    {
        var attempt = await fixture.ActiveAttemptAsync();
        var firstId = Guid.NewGuid();
        var first = await attempt.Client.PostAsJsonAsync(attempt.SubmitUrl, new { submissionId = firstId, answers = new[] { attempt.Answer(0, 1) } });
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        var second = await attempt.Client.PostAsJsonAsync(attempt.SubmitUrl, new { submissionId = Guid.NewGuid(), answers = new[] { attempt.Answer(0, 2) } });

        await second.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(1, await CountSubmissionsAsync(attempt));
        Assert.Equal(firstId, await fixture.Data.ScalarAsync<Guid>("SELECT submission_id FROM submissions WHERE attempt_id = @a", ("a", attempt.Id)));
        Assert.Equal(attempt.Paper.Questions[0].Options[1].OptionId, await fixture.Data.ScalarAsync<int>(
            "SELECT option_id FROM attempt_answers WHERE attempt_id = @a AND question_id = @q", ("a", attempt.Id), ("q", attempt.Paper.Questions[0].QuestionId)));
    }

    [Fact]
    public async Task Submit_SubmissionIdUsedOnAnotherAttempt_Answers409()
    {
        var first = await fixture.ActiveAttemptAsync();
        var second = await fixture.ActiveAttemptAsync();
        var submissionId = Guid.NewGuid();
        var recorded = await first.Client.PostAsJsonAsync(first.SubmitUrl, new { submissionId, answers = new[] { first.Answer(0, 0) } });
        Assert.Equal(HttpStatusCode.OK, recorded.StatusCode);

        var response = await second.Client.PostAsJsonAsync(second.SubmitUrl, new { submissionId, answers = new[] { second.Answer(0, 0) } });

        await response.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(0, await CountSubmissionsAsync(second));
    }

    [Fact]
    public async Task Submit_AfterAnOperatorMovedTheDeadlineLater_IsRecorded()
    {
        var attempt = await fixture.ActiveAttemptAsync();
        await fixture.MoveDeadlineAsync(attempt.Id, TimeSpan.FromHours(1));
        var late = await attempt.Client.PostAsJsonAsync(attempt.SubmitUrl, new { submissionId = Guid.NewGuid(), answers = new[] { attempt.Answer(0, 0) } });
        await late.AssertProblemAsync(HttpStatusCode.Gone);

        // The node now remembers a deadline in the past; the database's word wins before a refusal.
        await fixture.Data.ExecuteAsync("UPDATE attempts SET deadline = now() + interval '30 minutes' WHERE id = @id", ("id", attempt.Id));
        var response = await attempt.Client.PostAsJsonAsync(attempt.SubmitUrl, new { submissionId = Guid.NewGuid(), answers = new[] { attempt.Answer(0, 0) } });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, await CountSubmissionsAsync(attempt));
    }

    [Fact]
    public async Task Submit_RepeatedWhileTheDatabaseIsAway_AnswersTheRecordedReceipt()
    {
        var resilience = fixture.Factory.Services.GetRequiredService<DatabaseResilience>();
        var attempt = await fixture.ActiveAttemptAsync();
        var submissionId = Guid.NewGuid();
        var first = await attempt.Client.PostAsJsonAsync(attempt.SubmitUrl, new { submissionId, answers = new[] { attempt.Answer(0, 1) } });
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var receipt = (await first.Content.ReadFromJsonAsync<SubmitBody>())!.ReceiptId;

        resilience.ForceFallback = true;
        HttpResponseMessage again;
        try
        {
            again = await attempt.Client.PostAsJsonAsync(attempt.SubmitUrl, new { submissionId, answers = new[] { attempt.Answer(0, 1) } });
        }
        finally
        {
            resilience.ForceFallback = false;
        }

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(receipt, (await again.Content.ReadFromJsonAsync<SubmitBody>())!.ReceiptId);
        Assert.Equal(1, await CountSubmissionsAsync(attempt));
    }

    [Fact]
    public async Task Submit_QueuedInTime_IsRecordedWhenReplayedAfterTheDeadline()
    {
        var resilience = fixture.Factory.Services.GetRequiredService<DatabaseResilience>();
        var spool = fixture.Factory.Services.GetRequiredService<SubmissionSpool>();
        var attempt = await fixture.ActiveAttemptAsync();
        var submissionId = Guid.NewGuid();
        resilience.ForceFallback = true;
        try
        {
            var queued = await attempt.Client.PostAsJsonAsync(attempt.SubmitUrl, new { submissionId, answers = new[] { attempt.Answer(1, 1) } });
            Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
            // The database comes back only after the deadline and its grace.
            await fixture.MoveDeadlineAsync(attempt.Id, TimeSpan.FromHours(1));
        }
        finally
        {
            resilience.ForceFallback = false;
        }

        await Eventually.TrueAsync(() => !spool.TryGetPending(attempt.Id, out _), "the replay", TimeSpan.FromSeconds(20));
        Assert.Equal(1, await fixture.Data.ScalarAsync<long>("SELECT count(*) FROM submissions WHERE submission_id = @s", ("s", submissionId)));
    }

    [Fact]
    public async Task Submit_PastDeadlinePlusGrace_Answers410AndRecordsNothing()
    {
        var attempt = await fixture.ActiveAttemptAsync();
        await fixture.Data.ExecuteAsync("UPDATE attempts SET deadline = now() - interval '1 hour' WHERE id = @id", ("id", attempt.Id));

        var response = await attempt.Client.PostAsJsonAsync(attempt.SubmitUrl, new { submissionId = Guid.NewGuid(), answers = new[] { attempt.Answer(0, 0) } });

        await response.AssertProblemAsync(HttpStatusCode.Gone);
        Assert.Equal(0, await CountSubmissionsAsync(attempt));
    }

    [Fact]
    public async Task Submit_PastDeadlineWithinGrace_Answers200()
    {
        var attempt = await fixture.ActiveAttemptAsync();
        await fixture.MoveDeadlineAsync(attempt.Id, TimeSpan.FromSeconds(60));

        var response = await attempt.Client.PostAsJsonAsync(attempt.SubmitUrl, new { submissionId = Guid.NewGuid(), answers = new[] { attempt.Answer(0, 0) } });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, await CountSubmissionsAsync(attempt));
    }

    [Theory]
    [InlineData("""{"answers":[]}""", "submissionId")]
    [InlineData("""{"submissionId":null,"answers":[]}""", "submissionId")]
    [InlineData("""{"submissionId":"00000000-0000-0000-0000-000000000000","answers":[]}""", "submissionId")]
    [InlineData("""{"submissionId":"3f2b8c9e-8a51-4d0e-9a57-8f4d0c2b1a77"}""", "answers")]
    [InlineData("""{"submissionId":"3f2b8c9e-8a51-4d0e-9a57-8f4d0c2b1a77","answers":null}""", "answers")]
    public async Task Submit_MissingOrEmptyField_Answers400NamingIt(string json, string field)
    {
        var attempt = await fixture.ActiveAttemptAsync();

        var response = await attempt.Client.PostAsync(attempt.SubmitUrl, Scenario.Json(json));

        var errors = await response.AssertValidationProblemAsync();
        Assert.Contains(field, ProblemAssert.FieldNames(errors));
        Assert.Equal(0, await CountSubmissionsAsync(attempt));
    }

    [Theory]
    [InlineData("""{"submissionId":"","answers":[]}""")]
    [InlineData("""{"submissionId":"not-a-uuid","answers":[]}""")]
    [InlineData("""{"submissionId":"3f2b8c9e-8a51-4d0e-9a57","answers":[]}""")]
    [InlineData("""{"submissionId":12345,"answers":[]}""")]
    [InlineData("""{"submissionId":{"id":"3f2b8c9e-8a51-4d0e-9a57-8f4d0c2b1a77"},"answers":[]}""")]
    [InlineData("""{"submissionId":"3f2b8c9e-8a51-4d0e-9a57-8f4d0c2b1a77","answers":{}}""")]
    [InlineData("""{"submissionId":"3f2b8c9e-8a51-4d0e-9a57-8f4d0c2b1a77","answers":[{"questionId":"x","optionId":1}]}""")]
    public async Task Submit_InvalidUuidOrWrongTypes_Answers400WithErrors(string json)
    {
        var attempt = await fixture.ActiveAttemptAsync();

        var response = await attempt.Client.PostAsync(attempt.SubmitUrl, Scenario.Json(json));

        await response.AssertValidationProblemAsync();
        Assert.Equal(0, await CountSubmissionsAsync(attempt));
    }

    [Fact]
    public async Task Submit_UnknownQuestionOrOption_Answers400AndRecordsNothing()
    {
        var attempt = await fixture.ActiveAttemptAsync();
        var questions = attempt.Paper.Questions;
        var answers = new[]
        {
            new { questionId = -1, optionId = questions[0].Options[0].OptionId },
            new { questionId = questions[0].QuestionId, optionId = questions[1].Options[0].OptionId },
        };

        var response = await attempt.Client.PostAsJsonAsync(attempt.SubmitUrl, new { submissionId = Guid.NewGuid(), answers });

        var errors = await response.AssertValidationProblemAsync();
        Assert.Equal(new[] { "answers[0].questionId", "answers[1].optionId" }, ProblemAssert.FieldNames(errors).Order());
        Assert.Equal(0, await CountSubmissionsAsync(attempt));
    }

    [Fact]
    public async Task Submit_AnotherTeachersAttempt_Answers403WithoutAttemptData()
    {
        var owner = await fixture.ActiveAttemptAsync();
        var (_, intruder) = await fixture.TeacherAsync(owner.ExamId);

        var response = await intruder.PostAsJsonAsync(owner.SubmitUrl, new { submissionId = Guid.NewGuid(), answers = new[] { owner.Answer(0, 0) } });

        var problem = await response.AssertProblemAsync(HttpStatusCode.Forbidden);
        ProblemAssert.AssertOnlyProblemFields(problem);
        Assert.Equal(0, await CountSubmissionsAsync(owner));
    }

    [Fact]
    public async Task Submit_UnknownAttempt_Answers404()
    {
        var attempt = await fixture.ActiveAttemptAsync();
        var unknown = await fixture.Data.ScalarAsync<long>("SELECT coalesce(max(id), 0) + 1000 FROM attempts");

        var response = await attempt.Client.PostAsJsonAsync($"/api/attempts/{unknown}/submit", new { submissionId = Guid.NewGuid(), answers = Array.Empty<object>() });

        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Submit_WithoutToken_Answers401()
    {
        var attempt = await fixture.ActiveAttemptAsync();
        using var anonymous = fixture.Factory.CreateClient();

        var response = await anonymous.PostAsJsonAsync(attempt.SubmitUrl, new { submissionId = Guid.NewGuid(), answers = Array.Empty<object>() });

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(0, await CountSubmissionsAsync(attempt));
    }

    private Task<long> CountSubmissionsAsync(ActiveAttempt attempt) =>
        fixture.Data.ScalarAsync<long>("SELECT count(*) FROM submissions WHERE attempt_id = @a", ("a", attempt.Id));
}
