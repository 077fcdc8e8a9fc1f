using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace ExamConsole.E2E;

/// <summary>QA's end-to-end scenario of a teacher: a whole exam through the API, then the result as the teacher's browser sees it.</summary>
[Collection(E2ECollection.Name)]
public sealed class TeacherExamFlowTests(E2EFixture fixture)
{
    [Fact]
    public async Task Teacher_TakesAWholeExam_LoginPaperAnswersSubmitStatus()
    {
        var teacher = await fixture.Data.CreateTeacherAsync();
        using var api = fixture.ApiClient();

        var login = await api.PostAsJsonAsync("/api/auth/login", new { teacherCode = teacher.Code, password = teacher.Password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        var exams = await api.GetFromJsonAsync<JsonElement>("/api/exams");
        var examId = exams.EnumerateArray().First().GetProperty("examId").GetInt32();
        var paperText = await api.GetStringAsync($"/api/exams/{examId}/paper");
        Assert.DoesNotContain("correct", paperText, StringComparison.OrdinalIgnoreCase);
        var questions = JsonDocument.Parse(paperText).RootElement.GetProperty("questions").EnumerateArray()
            .Select(q => (Id: q.GetProperty("questionId").GetInt32(), Option: q.GetProperty("options")[1].GetProperty("optionId").GetInt32()))
            .ToList();

        var started = await api.PostAsync($"/api/exams/{examId}/attempts", null);
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var attemptId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("attemptId").GetInt64();

        foreach (var round in questions.Chunk(3))
        {
            var saved = await api.PutAsJsonAsync($"/api/attempts/{attemptId}/answers", new { answers = round.Select(q => new { questionId = q.Id, optionId = q.Option }) });
            Assert.Equal(HttpStatusCode.NoContent, saved.StatusCode);
        }
        var submissionId = Guid.NewGuid();
        var submitted = await api.PostAsJsonAsync($"/api/attempts/{attemptId}/submit", new { submissionId, answers = Array.Empty<object>() });
        Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        var receipt = (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("receiptId").GetGuid();

        var status = await api.GetFromJsonAsync<JsonElement>($"/api/attempts/{attemptId}");
        Assert.Equal("submitted", status.GetProperty("status").GetString());
        Assert.Equal(questions.Count, status.GetProperty("answeredCount").GetInt32());
        Assert.Equal(receipt, status.GetProperty("receiptId").GetGuid());

        // The same status, as the teacher's browser gets it with the teacher's token.
        await BrowserSession.RunAsync(fixture, "teacher-exam", async page =>
        {
            await page.Context.SetExtraHTTPHeadersAsync(new Dictionary<string, string> { ["Authorization"] = "Bearer " + token });
            var response = await page.GotoAsync($"/api/attempts/{attemptId}");
            Assert.Equal(200, response!.Status);
            Assert.Contains(receipt.ToString(), await page.ContentAsync());
        });
    }
}
