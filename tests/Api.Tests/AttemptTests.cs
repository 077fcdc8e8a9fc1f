using System.Net;
using System.Net.Http.Json;
using ExamConsole.Api.Tests.Support;

namespace ExamConsole.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class AttemptTests(ApiFixture fixture)
{
    [Fact]
    public async Task Start_FirstThenSecondCall_Answers201ThenTheSameAttemptWith200()
    {
        var examId = await fixture.OpenExamAsync();
        var (teacher, client) = await fixture.TeacherAsync(examId);

        var first = await client.PostAsync($"/api/exams/{examId}/attempts", null);
        var second = await client.PostAsync($"/api/exams/{examId}/attempts", null);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var created = await first.Content.ReadFromJsonAsync<AttemptBody>();
        var again = await second.Content.ReadFromJsonAsync<AttemptBody>();
        Assert.NotNull(created);
        Assert.Equal(created, again);
        Assert.Equal($"/api/attempts/{created.AttemptId}", first.Headers.Location?.OriginalString);
        var rows = await fixture.Data.ScalarAsync<long>(
            "SELECT count(*) FROM attempts WHERE teacher_id = @t AND exam_id = @e", ("t", teacher.Id), ("e", examId));
        Assert.Equal(1, rows);
    }

    [Fact]
    public async Task Start_TenConcurrentCalls_MakeOneAttemptAndOne201()
    {
        var examId = await fixture.OpenExamAsync();
        var (teacher, client) = await fixture.TeacherAsync(examId);

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => client.PostAsync($"/api/exams/{examId}/attempts", null)));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.OK }));
        var ids = await Task.WhenAll(responses.Select(async r => (await r.Content.ReadFromJsonAsync<AttemptBody>())!.AttemptId));
        Assert.Single(ids.Distinct());
        var rows = await fixture.Data.ScalarAsync<long>(
            "SELECT count(*) FROM attempts WHERE teacher_id = @t AND exam_id = @e", ("t", teacher.Id), ("e", examId));
        Assert.Equal(1, rows);
    }

    [Fact]
    public async Task Start_WindowOutlastsTheDuration_DeadlineIsStartPlusDuration()
    {
        var examId = await fixture.OpenExamAsync(durationMinutes: 40);
        var (_, client) = await fixture.TeacherAsync(examId);

        var before = DateTimeOffset.UtcNow;
        var attempt = await (await client.PostAsync($"/api/exams/{examId}/attempts", null)).Content.ReadFromJsonAsync<AttemptBody>();

        Assert.NotNull(attempt);
        Assert.Equal(attempt.StartedAt.AddMinutes(40), attempt.Deadline);
        Assert.InRange(attempt.StartedAt, before.AddSeconds(-5), DateTimeOffset.UtcNow.AddSeconds(5));
        var stored = await fixture.Data.ScalarAsync<DateTime>("SELECT deadline FROM attempts WHERE id = @id", ("id", attempt.AttemptId));
        Assert.Equal(attempt.Deadline.UtcDateTime, stored);
    }

    [Fact]
    public async Task Start_ExamClosingBeforeTheDurationRunsOut_DeadlineIsClosesAt()
    {
        var examId = await fixture.Data.CreateExamAsync(
            DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddMinutes(20), durationMinutes: 60);
        var (_, client) = await fixture.TeacherAsync(examId);

        var attempt = await (await client.PostAsync($"/api/exams/{examId}/attempts", null)).Content.ReadFromJsonAsync<AttemptBody>();

        var closesAt = await fixture.Data.ScalarAsync<DateTime>("SELECT closes_at FROM exams WHERE id = @id", ("id", examId));
        Assert.NotNull(attempt);
        Assert.Equal(closesAt, attempt.Deadline.UtcDateTime);
        Assert.True(attempt.Deadline < attempt.StartedAt.AddMinutes(60));
    }

    [Fact]
    public async Task Start_ExamNotAssigned_Answers403AndStoresNothing()
    {
        var mine = await fixture.OpenExamAsync();
        var theirs = await fixture.OpenExamAsync();
        var (teacher, client) = await fixture.TeacherAsync(mine);

        var response = await client.PostAsync($"/api/exams/{theirs}/attempts", null);

        await response.AssertProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal(0, await fixture.Data.ScalarAsync<long>("SELECT count(*) FROM attempts WHERE teacher_id = @t", ("t", teacher.Id)));
    }

    [Fact]
    public async Task Start_ExamOpeningTomorrow_Answers403()
    {
        var examId = await fixture.FutureExamAsync();
        var (_, client) = await fixture.TeacherAsync(examId);

        var response = await client.PostAsync($"/api/exams/{examId}/attempts", null);

        await response.AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Start_ExamClosed_Answers403AndStoresNothing()
    {
        var examId = await fixture.ClosedExamAsync();
        var (_, client) = await fixture.TeacherAsync(examId);

        var response = await client.PostAsync($"/api/exams/{examId}/attempts", null);

        await response.AssertProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal(0, await fixture.Data.ScalarAsync<long>("SELECT count(*) FROM attempts WHERE exam_id = @e", ("e", examId)));
    }

    [Theory]
    [InlineData("2147483000")]
    [InlineData("-1")]
    [InlineData("abc")]
    [InlineData("99999999999")]
    public async Task Start_UnknownOrMalformedExamId_Answers404(string examId)
    {
        var (_, client) = await fixture.TeacherAsync();

        var response = await client.PostAsync($"/api/exams/{examId}/attempts", null);

        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Start_WithoutToken_Answers401()
    {
        var examId = await fixture.OpenExamAsync();
        using var client = fixture.Factory.CreateClient();

        var response = await client.PostAsync($"/api/exams/{examId}/attempts", null);

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }
}
