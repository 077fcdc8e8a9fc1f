using System.Net;
using System.Net.Http.Json;
using ExamConsole.Api.Tests.Support;

namespace ExamConsole.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class AnswersTests(ApiFixture fixture)
{
    [Fact]
    public async Task Save_ValidAnswers_Answers204AndStoresThem()
    {
        var attempt = await fixture.ActiveAttemptAsync();

        var response = await attempt.Client.PutAsJsonAsync(attempt.AnswersUrl, new { answers = new[] { attempt.Answer(0, 1), attempt.Answer(2, 3) } });

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(2, await CountAnswersAsync(attempt));
        Assert.Equal(attempt.Paper.Questions[0].Options[1].OptionId, await StoredOptionAsync(attempt, 0));
        Assert.Equal(attempt.Paper.Questions[2].Options[3].OptionId, await StoredOptionAsync(attempt, 2));
    }

    [Fact]
    public async Task Save_SameQuestionTwice_LastWriteWins()
    {
        var attempt = await fixture.ActiveAttemptAsync();

        var first = await attempt.Client.PutAsJsonAsync(attempt.AnswersUrl, new { answers = new[] { attempt.Answer(0, 1) } });
        var second = await attempt.Client.PutAsJsonAsync(attempt.AnswersUrl, new { answers = new[] { attempt.Answer(0, 2) } });

        Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, second.StatusCode);
        Assert.Equal(1, await CountAnswersAsync(attempt));
        Assert.Equal(attempt.Paper.Questions[0].Options[2].OptionId, await StoredOptionAsync(attempt, 0));
    }

    [Fact]
    public async Task Save_SameQuestionTwiceInOneRequest_TheLaterItemWins()
    {
        var attempt = await fixture.ActiveAttemptAsync();

        var response = await attempt.Client.PutAsJsonAsync(attempt.AnswersUrl, new { answers = new[] { attempt.Answer(1, 0), attempt.Answer(1, 3) } });

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(1, await CountAnswersAsync(attempt));
        Assert.Equal(attempt.Paper.Questions[1].Options[3].OptionId, await StoredOptionAsync(attempt, 1));
    }

    [Fact]
    public async Task Save_EveryQuestion_Answers204()
    {
        var attempt = await fixture.ActiveAttemptAsync(questions: 5);

        var response = await attempt.Client.PutAsJsonAsync(attempt.AnswersUrl, new { answers = Enumerable.Range(0, 5).Select(q => attempt.Answer(q, q % 4)) });

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(5, await CountAnswersAsync(attempt));
    }

    [Fact]
    public async Task Save_UnknownQuestion_Answers400NamingItAndStoresNothing()
    {
        var attempt = await fixture.ActiveAttemptAsync();
        var option = attempt.Paper.Questions[0].Options[0].OptionId;

        var response = await attempt.Client.PutAsJsonAsync(attempt.AnswersUrl, new { answers = new[] { attempt.Answer(1, 1), new { questionId = int.MaxValue, optionId = option } } });

        var errors = await response.AssertValidationProblemAsync();
        Assert.Contains("answers[1].questionId", ProblemAssert.FieldNames(errors));
        Assert.Equal(0, await CountAnswersAsync(attempt));
    }

    [Fact]
    public async Task Save_QuestionOfAnotherExam_Answers400()
    {
        var attempt = await fixture.ActiveAttemptAsync();
        var other = await fixture.ActiveAttemptAsync();

        var response = await attempt.Client.PutAsJsonAsync(attempt.AnswersUrl, new { answers = new[] { other.Answer(0, 0) } });

        var errors = await response.AssertValidationProblemAsync();
        Assert.Contains("answers[0].questionId", ProblemAssert.FieldNames(errors));
    }

    [Fact]
    public async Task Save_UnknownOption_Answers400NamingIt()
    {
        var attempt = await fixture.ActiveAttemptAsync();

        var response = await attempt.Client.PutAsJsonAsync(attempt.AnswersUrl, new { answers = new[] { new { questionId = attempt.Paper.Questions[0].QuestionId, optionId = -1 } } });

        var errors = await response.AssertValidationProblemAsync();
        Assert.Contains("answers[0].optionId", ProblemAssert.FieldNames(errors));
    }

    [Fact]
    public async Task Save_OptionOfAnotherQuestion_Answers400AndStoresNothing()
    {
        var attempt = await fixture.ActiveAttemptAsync();
        var questions = attempt.Paper.Questions;

        var response = await attempt.Client.PutAsJsonAsync(attempt.AnswersUrl, new { answers = new[] { new { questionId = questions[0].QuestionId, optionId = questions[1].Options[0].OptionId } } });

        var errors = await response.AssertValidationProblemAsync();
        Assert.Contains("answers[0].optionId", ProblemAssert.FieldNames(errors));
        Assert.Equal(0, await CountAnswersAsync(attempt));
    }

    [Theory]
    [InlineData("""{"answers":[]}""", "answers")]
    [InlineData("""{}""", "answers")]
    [InlineData("""{"answers":null}""", "answers")]
    [InlineData("""{"answers":[{"optionId":1}]}""", "answers[0].questionId")]
    [InlineData("""{"answers":[{"questionId":1}]}""", "answers[0].optionId")]
    [InlineData("""{"answers":[null]}""", "answers[0].questionId")]
    public async Task Save_EmptyListOrMissingField_Answers400NamingTheField(string json, string field)
    {
        var attempt = await fixture.ActiveAttemptAsync();
        // Point the placeholder ids at the real paper, so that only the missing field is wrong.
        json = json.Replace("\"questionId\":1", $"\"questionId\":{attempt.Paper.Questions[0].QuestionId}", StringComparison.Ordinal)
            .Replace("\"optionId\":1", $"\"optionId\":{attempt.Paper.Questions[0].Options[0].OptionId}", StringComparison.Ordinal);

        var response = await attempt.Client.PutAsync(attempt.AnswersUrl, Scenario.Json(json));

        var errors = await response.AssertValidationProblemAsync();
        Assert.Contains(field, ProblemAssert.FieldNames(errors));
    }

    [Theory]
    [InlineData("""{"answers":{"questionId":1,"optionId":1}}""")]
    [InlineData("""{"answers":"all of them"}""")]
    [InlineData("""{"answers":[{"questionId":"first","optionId":1}]}""")]
    [InlineData("""{"answers":[{"questionId":1,"optionId":true}]}""")]
    [InlineData("""{"answers":[{"questionId":1.5,"optionId":1}]}""")]
    [InlineData("""{"answers":[[1,1]]}""")]
    [InlineData("""[{"questionId":1,"optionId":1}]""")]
    [InlineData("""{"answers":[{"questionId":1,"optionId":1}""")]
    public async Task Save_WrongJsonTypes_Answers400WithErrors(string json)
    {
        var attempt = await fixture.ActiveAttemptAsync();

        var response = await attempt.Client.PutAsync(attempt.AnswersUrl, Scenario.Json(json));

        await response.AssertValidationProblemAsync();
        Assert.Equal(0, await CountAnswersAsync(attempt));
    }

    [Fact]
    public async Task Save_MoreAnswersThanQuestions_Answers400()
    {
        var attempt = await fixture.ActiveAttemptAsync(questions: 3);

        var response = await attempt.Client.PutAsJsonAsync(attempt.AnswersUrl, new { answers = Enumerable.Range(0, 4).Select(i => attempt.Answer(i % 3, 0)) });

        await response.AssertValidationProblemAsync();
    }

    [Fact]
    public async Task Save_AnotherTeachersAttempt_Answers403WithoutAttemptData()
    {
        var owner = await fixture.ActiveAttemptAsync();
        var (_, intruder) = await fixture.TeacherAsync(owner.ExamId);

        var response = await intruder.PutAsJsonAsync(owner.AnswersUrl, new { answers = new[] { owner.Answer(0, 0) } });

        var problem = await response.AssertProblemAsync(HttpStatusCode.Forbidden);
        ProblemAssert.AssertOnlyProblemFields(problem);
        Assert.Equal(0, await CountAnswersAsync(owner));
    }

    [Fact]
    public async Task Save_UnknownAttempt_Answers404()
    {
        var attempt = await fixture.ActiveAttemptAsync();
        var unknown = await fixture.Data.ScalarAsync<long>("SELECT coalesce(max(id), 0) + 1000 FROM attempts");

        var response = await attempt.Client.PutAsJsonAsync($"/api/attempts/{unknown}/answers", new { answers = new[] { attempt.Answer(0, 0) } });

        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Save_AfterSubmit_Answers409AndKeepsTheSubmittedAnswers()
    {
        var attempt = await fixture.ActiveAttemptAsync();
        var submit = await attempt.Client.PostAsJsonAsync(attempt.SubmitUrl, new { submissionId = Guid.NewGuid(), answers = new[] { attempt.Answer(0, 1) } });
        Assert.Equal(HttpStatusCode.OK, submit.StatusCode);

        var response = await attempt.Client.PutAsJsonAsync(attempt.AnswersUrl, new { answers = new[] { attempt.Answer(0, 2) } });

        await response.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(attempt.Paper.Questions[0].Options[1].OptionId, await StoredOptionAsync(attempt, 0));
    }

    [Fact]
    public async Task Save_PastDeadlinePlusGrace_Answers410AndStoresNothing()
    {
        var attempt = await fixture.ActiveAttemptAsync();
        await fixture.MoveDeadlineAsync(attempt.Id, TimeSpan.FromHours(1));

        var response = await attempt.Client.PutAsJsonAsync(attempt.AnswersUrl, new { answers = new[] { attempt.Answer(0, 0) } });

        await response.AssertProblemAsync(HttpStatusCode.Gone);
        Assert.Equal(0, await CountAnswersAsync(attempt));
    }

    [Fact]
    public async Task Save_PastDeadlineWithinGrace_Answers204()
    {
        var attempt = await fixture.ActiveAttemptAsync();
        await fixture.MoveDeadlineAsync(attempt.Id, TimeSpan.FromSeconds(30));

        var response = await attempt.Client.PutAsJsonAsync(attempt.AnswersUrl, new { answers = new[] { attempt.Answer(0, 0) } });

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(1, await CountAnswersAsync(attempt));
    }

    [Fact]
    public async Task Save_WithoutToken_Answers401()
    {
        var attempt = await fixture.ActiveAttemptAsync();
        using var anonymous = fixture.Factory.CreateClient();

        var response = await anonymous.PutAsJsonAsync(attempt.AnswersUrl, new { answers = new[] { attempt.Answer(0, 0) } });

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(0, await CountAnswersAsync(attempt));
    }

    private Task<long> CountAnswersAsync(ActiveAttempt attempt) =>
        fixture.Data.ScalarAsync<long>("SELECT count(*) FROM answers WHERE attempt_id = @a", ("a", attempt.Id));

    private Task<int> StoredOptionAsync(ActiveAttempt attempt, int question) =>
        fixture.Data.ScalarAsync<int>(
            "SELECT option_id FROM attempt_answers WHERE attempt_id = @a AND question_id = @q",
            ("a", attempt.Id),
            ("q", attempt.Paper.Questions[question].QuestionId));
}
