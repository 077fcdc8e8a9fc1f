using System.Net;
using System.Net.Http.Json;
using ExamConsole.Testing;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ExamConsole.Api.Tests.Support;

/// <summary>A teacher logged in on an open exam with an attempt started: the starting point of most attempt tests.</summary>
internal sealed record ActiveAttempt(TestData.TestTeacher Teacher, HttpClient Client, int ExamId, PaperBody Paper, AttemptBody Attempt)
{
    public long Id => Attempt.AttemptId;

    public string AnswersUrl => $"/api/attempts/{Id}/answers";

    public string SubmitUrl => $"/api/attempts/{Id}/submit";

    public string StatusUrl => $"/api/attempts/{Id}";

    /// <summary>Question <paramref name="question"/> (0-based) answered with option <paramref name="option"/> (0-based).</summary>
    public object Answer(int question, int option) =>
        new { questionId = Paper.Questions[question].QuestionId, optionId = Paper.Questions[question].Options[option].OptionId };
}

/// <summary>Builds each test's own data through <see cref="TestData"/> and the API itself.</summary>
internal static class Scenario
{
    /// <summary>An exam that opened an hour ago and closes in three hours.</summary>
    public static Task<int> OpenExamAsync(this ApiFixture fixture, int durationMinutes = 60, int questions = 5) =>
        fixture.Data.CreateExamAsync(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(3), durationMinutes, questions);

    /// <summary>An exam that opens tomorrow.</summary>
    public static Task<int> FutureExamAsync(this ApiFixture fixture) =>
        fixture.Data.CreateExamAsync(DateTimeOffset.UtcNow.AddDays(1), DateTimeOffset.UtcNow.AddDays(1).AddHours(3));

    /// <summary>An exam that closed yesterday.</summary>
    public static Task<int> ClosedExamAsync(this ApiFixture fixture) =>
        fixture.Data.CreateExamAsync(DateTimeOffset.UtcNow.AddDays(-1).AddHours(-3), DateTimeOffset.UtcNow.AddDays(-1));

    /// <summary>A new teacher assigned to exactly <paramref name="examIds"/>, logged in.</summary>
    public static async Task<(TestData.TestTeacher Teacher, HttpClient Client)> TeacherAsync(this ApiFixture fixture, params int[] examIds)
    {
        var teacher = await fixture.Data.CreateTeacherAsync(examIds);
        return (teacher, await fixture.Factory.TeacherClientAsync(teacher.Code, teacher.Password));
    }

    /// <summary>A new teacher on a new open exam, with the paper read and the attempt started.</summary>
    public static async Task<ActiveAttempt> ActiveAttemptAsync(this ApiFixture fixture, int durationMinutes = 60, int questions = 5)
    {
        var examId = await fixture.OpenExamAsync(durationMinutes, questions);
        var (teacher, client) = await fixture.TeacherAsync(examId);
        var paper = await client.GetFromJsonAsync<PaperBody>($"/api/exams/{examId}/paper") ?? throw new InvalidOperationException("Empty paper.");
        var response = await client.PostAsync($"/api/exams/{examId}/attempts", null);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var attempt = await response.Content.ReadFromJsonAsync<AttemptBody>() ?? throw new InvalidOperationException("Empty attempt.");
        return new ActiveAttempt(teacher, client, examId, paper, attempt);
    }

    /// <summary>Moves the attempt's deadline <paramref name="ago"/> into the past, straight in the database.</summary>
    public static Task MoveDeadlineAsync(this ApiFixture fixture, long attemptId, TimeSpan ago) =>
        fixture.Data.ExecuteAsync(
            "UPDATE attempts SET deadline = now() - make_interval(secs => @seconds) WHERE id = @id",
            ("seconds", ago.TotalSeconds),
            ("id", attemptId));

    /// <summary>
    /// A client that sends a body as it is given: the default test client follows redirects and, to be
    /// able to resend, buffers every body and so always declares a Content-Length.
    /// </summary>
    public static HttpClient StreamingClient(this ApiFixture fixture, HttpClient? sameUserAs = null)
    {
        var client = fixture.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = fixture.Factory.ClientOptions.BaseAddress });
        client.DefaultRequestHeaders.Authorization = sameUserAs?.DefaultRequestHeaders.Authorization;
        return client;
    }

    /// <summary>A JSON body from raw text, for bodies no serializer would write.</summary>
    public static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
