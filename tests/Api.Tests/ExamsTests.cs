using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using ExamConsole.Api.Tests.Support;

namespace ExamConsole.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class ExamsTests(ApiFixture fixture)
{
    [Fact]
    public async Task List_TeacherWithTwoOfThreeExams_AnswersOnlyTheAssignedOnesWithQuestionCount()
    {
        var first = await fixture.OpenExamAsync(durationMinutes: 45, questions: 3);
        var second = await fixture.FutureExamAsync();
        var notAssigned = await fixture.OpenExamAsync();
        var (_, client) = await fixture.TeacherAsync(first, second);

        var response = await client.GetAsync("/api/exams");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var exams = await response.Content.ReadFromJsonAsync<List<ExamBody>>();
        Assert.NotNull(exams);
        Assert.Equal(new[] { first, second }, exams.Select(e => e.ExamId).Order());
        Assert.DoesNotContain(exams, e => e.ExamId == notAssigned);
        var listed = exams.Single(e => e.ExamId == first);
        Assert.Equal(3, listed.QuestionCount);
        Assert.Equal(45, listed.DurationMinutes);
        Assert.True(listed.OpensAt < DateTimeOffset.UtcNow && DateTimeOffset.UtcNow < listed.ClosesAt);
        Assert.False(string.IsNullOrWhiteSpace(listed.Title));
        Assert.Equal(5, exams.Single(e => e.ExamId == second).QuestionCount);
    }

    [Fact]
    public async Task List_QuestionCount_MatchesTheQuestionsTable()
    {
        var examId = await fixture.OpenExamAsync(questions: 7);
        var (_, client) = await fixture.TeacherAsync(examId);

        var exams = await client.GetFromJsonAsync<List<ExamBody>>("/api/exams");

        var stored = await fixture.Data.ScalarAsync<long>("SELECT count(*) FROM questions WHERE exam_id = @id", ("id", examId));
        Assert.Equal(stored, Assert.Single(exams!).QuestionCount);
    }

    [Fact]
    public async Task List_TeacherWithoutExams_AnswersAnEmptyArray()
    {
        var (_, client) = await fixture.TeacherAsync();

        var response = await client.GetAsync("/api/exams");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("[]", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task List_WithoutToken_Answers401()
    {
        using var client = fixture.Factory.CreateClient();

        var response = await client.GetAsync("/api/exams");

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl")]
    [InlineData("eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIiwicm9sZSI6InRlYWNoZXIiLCJleGFtcyI6IjEgMiAzIn0.")]
    public async Task List_WithGarbageOrForgedToken_Answers401(string token)
    {
        using var client = fixture.Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        var response = await client.GetAsync("/api/exams");

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task List_ExamAssignedAfterLogin_IsNotListedUntilTheNextLogin()
    {
        // The token carries the assignments of the moment of login (no database trip to authorize).
        var examId = await fixture.OpenExamAsync();
        var teacher = await fixture.Data.CreateTeacherAsync([]);
        using var before = await fixture.Factory.TeacherClientAsync(teacher.Code, teacher.Password);
        await fixture.Data.ExecuteAsync("INSERT INTO exam_assignments (teacher_id, exam_id) VALUES (@t, @e)", ("t", teacher.Id), ("e", examId));
        using var after = await fixture.Factory.TeacherClientAsync(teacher.Code, teacher.Password);

        Assert.Empty((await before.GetFromJsonAsync<List<ExamBody>>("/api/exams"))!);
        Assert.Equal(examId, Assert.Single((await after.GetFromJsonAsync<List<ExamBody>>("/api/exams"))!).ExamId);
    }
}
