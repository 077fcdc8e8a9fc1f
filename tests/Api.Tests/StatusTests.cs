using System.Net;
using System.Net.Http.Json;
using ExamConsole.Api.Tests.Support;

namespace ExamConsole.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class StatusTests(ApiFixture fixture)
{
    [Fact]
    public async Task Status_NewAttempt_IsInProgressWithNothingAnswered()
    {
        var attempt = await fixture.ActiveAttemptAsync();

        var response = await attempt.Client.GetAsync(attempt.StatusUrl);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var status = await response.Content.ReadFromJsonAsync<StatusBody>();
        Assert.NotNull(status);
        Assert.Equal("in_progress", status.Status);
        Assert.Equal(0, status.AnsweredCount);
        Assert.Null(status.ReceiptId);
        Assert.Equal(attempt.Id, status.AttemptId);
        Assert.Equal(attempt.ExamId, status.ExamId);
        Assert.Equal(attempt.Attempt.StartedAt, status.StartedAt);
        Assert.Equal(attempt.Attempt.Deadline, status.Deadline);
    }

    [Fact]
    public async Task Status_AfterSavingAnswers_CountsEachQuestionOnce()
    {
        var attempt = await fixture.ActiveAttemptAsync();
        await attempt.Client.PutAsJsonAsync(attempt.AnswersUrl, new { answers = new[] { attempt.Answer(0, 0), attempt.Answer(3, 1) } });
        await attempt.Client.PutAsJsonAsync(attempt.AnswersUrl, new { answers = new[] { attempt.Answer(0, 2) } });

        var status = await attempt.Client.GetFromJsonAsync<StatusBody>(attempt.StatusUrl);

        Assert.Equal("in_progress", status!.Status);
        Assert.Equal(2, status.AnsweredCount);
        Assert.Equal(await fixture.Data.ScalarAsync<long>("SELECT count(*) FROM attempt_answers WHERE attempt_id = @a", ("a", attempt.Id)), status.AnsweredCount);
    }

    [Fact]
    public async Task Status_AfterSubmit_IsSubmittedWithTheReceipt()
    {
        var attempt = await fixture.ActiveAttemptAsync();
        await attempt.Client.PutAsJsonAsync(attempt.AnswersUrl, new { answers = new[] { attempt.Answer(0, 0) } });
        var submit = await attempt.Client.PostAsJsonAsync(attempt.SubmitUrl, new { submissionId = Guid.NewGuid(), answers = new[] { attempt.Answer(1, 1), attempt.Answer(2, 2) } });
        var receipt = await submit.Content.ReadFromJsonAsync<SubmitBody>();

        var status = await attempt.Client.GetFromJsonAsync<StatusBody>(attempt.StatusUrl);

        Assert.Equal("submitted", status!.Status);
        Assert.Equal(receipt!.ReceiptId, status.ReceiptId);
        Assert.Equal(3, status.AnsweredCount);
    }

    [Fact]
    public async Task Status_AnotherTeachersAttempt_Answers403WithoutAttemptData()
    {
        var owner = await fixture.ActiveAttemptAsync();
        var (_, intruder) = await fixture.TeacherAsync(owner.ExamId);

        var response = await intruder.GetAsync(owner.StatusUrl);

        var problem = await response.AssertProblemAsync(HttpStatusCode.Forbidden);
        ProblemAssert.AssertOnlyProblemFields(problem);
    }

    [Theory]
    [InlineData("unknown")]
    [InlineData("-1")]
    [InlineData("9223372036854775807")]
    [InlineData("99999999999999999999")]
    [InlineData("abc")]
    public async Task Status_UnknownOrMalformedAttempt_Answers404(string attemptId)
    {
        var attempt = await fixture.ActiveAttemptAsync();
        if (attemptId == "unknown")
        {
            attemptId = (await fixture.Data.ScalarAsync<long>("SELECT coalesce(max(id), 0) + 1000 FROM attempts")).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var response = await attempt.Client.GetAsync($"/api/attempts/{attemptId}");

        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Status_WithoutToken_Answers401()
    {
        var attempt = await fixture.ActiveAttemptAsync();
        using var anonymous = fixture.Factory.CreateClient();

        var response = await anonymous.GetAsync(attempt.StatusUrl);

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }
}
