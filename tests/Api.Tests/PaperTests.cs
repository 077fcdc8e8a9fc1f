using System.Net;
using System.Text.Json;
using ExamConsole.Api.Tests.Support;

namespace ExamConsole.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class PaperTests(ApiFixture fixture)
{
    [Fact]
    public async Task Paper_AssignedOpenExam_Answers200WithEveryQuestionAndFourOptions()
    {
        var examId = await fixture.OpenExamAsync(durationMinutes: 50, questions: 6);
        var (_, client) = await fixture.TeacherAsync(examId);

        var response = await client.GetAsync($"/api/exams/{examId}/paper");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var paper = JsonSerializer.Deserialize<PaperBody>(await response.Content.ReadAsStringAsync(), JsonSerializerOptions.Web);
        Assert.NotNull(paper);
        Assert.Equal(examId, paper.ExamId);
        Assert.Equal(50, paper.DurationMinutes);
        Assert.False(string.IsNullOrWhiteSpace(paper.Title));
        Assert.Equal(Enumerable.Range(1, 6), paper.Questions.Select(q => q.Number));
        Assert.All(paper.Questions, q =>
        {
            Assert.False(string.IsNullOrWhiteSpace(q.Text));
            Assert.Equal(4, q.Options.Count);
            Assert.Equal(4, q.Options.Select(o => o.OptionId).Distinct().Count());
            Assert.All(q.Options, o => Assert.False(string.IsNullOrWhiteSpace(o.Text)));
        });
        var storedQuestions = await fixture.Data.ScalarAsync<int[]>(
            "SELECT array_agg(id ORDER BY number) FROM questions WHERE exam_id = @id", ("id", examId));
        Assert.Equal(storedQuestions, paper.Questions.Select(q => q.QuestionId));
    }

    [Fact]
    public async Task Paper_RawJson_NeverSaysWhichOptionIsCorrect()
    {
        var examId = await fixture.OpenExamAsync();
        var (_, client) = await fixture.TeacherAsync(examId);

        var raw = await client.GetStringAsync($"/api/exams/{examId}/paper");

        Assert.DoesNotContain("isCorrect", raw, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("is_correct", raw, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("correct", raw, StringComparison.OrdinalIgnoreCase);
        // Nothing but the documented fields, at every level.
        using var document = JsonDocument.Parse(raw);
        Assert.Equal(new[] { "examId", "title", "durationMinutes", "questions" }, document.RootElement.EnumerateObject().Select(p => p.Name));
        foreach (var question in document.RootElement.GetProperty("questions").EnumerateArray())
        {
            Assert.Equal(new[] { "questionId", "number", "text", "options" }, question.EnumerateObject().Select(p => p.Name));
            foreach (var option in question.GetProperty("options").EnumerateArray())
            {
                Assert.Equal(new[] { "optionId", "text" }, option.EnumerateObject().Select(p => p.Name));
            }
        }
    }

    [Fact]
    public async Task Paper_ExamNotAssigned_Answers403()
    {
        var mine = await fixture.OpenExamAsync();
        var theirs = await fixture.OpenExamAsync();
        var (_, client) = await fixture.TeacherAsync(mine);

        var response = await client.GetAsync($"/api/exams/{theirs}/paper");

        var problem = await response.AssertProblemAsync(HttpStatusCode.Forbidden);
        Assert.False(problem.TryGetProperty("questions", out _));
    }

    [Fact]
    public async Task Paper_ExamOpeningTomorrow_Answers403()
    {
        var examId = await fixture.FutureExamAsync();
        var (_, client) = await fixture.TeacherAsync(examId);

        var response = await client.GetAsync($"/api/exams/{examId}/paper");

        await response.AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Paper_ExamClosed_Answers403()
    {
        var examId = await fixture.ClosedExamAsync();
        var (_, client) = await fixture.TeacherAsync(examId);

        var response = await client.GetAsync($"/api/exams/{examId}/paper");

        await response.AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Paper_UnknownExam_Answers404()
    {
        var (_, client) = await fixture.TeacherAsync();
        var unknown = await fixture.Data.ScalarAsync<int>("SELECT coalesce(max(id), 0) + 1000 FROM exams");

        var response = await client.GetAsync($"/api/exams/{unknown}/paper");

        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("99999999999")]
    [InlineData("-1")]
    [InlineData("0")]
    [InlineData("2147483647")]
    [InlineData("9223372036854775807")]
    [InlineData("1e30")]
    [InlineData("1.5")]
    [InlineData("%20")]
    public async Task Paper_NonNumericOrOutOfRangeId_Answers404NeverA5xx(string examId)
    {
        var (_, client) = await fixture.TeacherAsync();

        var response = await client.GetAsync($"/api/exams/{examId}/paper");

        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Paper_WithoutToken_Answers401()
    {
        var examId = await fixture.OpenExamAsync();
        using var client = fixture.Factory.CreateClient();

        var response = await client.GetAsync($"/api/exams/{examId}/paper");

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }
}
