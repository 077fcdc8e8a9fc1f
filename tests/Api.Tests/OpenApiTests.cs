using System.Net;
using System.Text.Json;

namespace ExamConsole.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class OpenApiTests(ApiFixture fixture)
{
    [Fact]
    public async Task OpenApi_Document_IsServedAndDescribesTheTeacherEndpoints()
    {
        using var client = fixture.Factory.CreateClient();

        var response = await client.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(json);
        var paths = document.RootElement.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/auth/login", out _), "The document lacks /api/auth/login.");
        Assert.True(paths.TryGetProperty("/api/exams/{examId}/paper", out _), "The document lacks the paper endpoint.");
        Assert.True(paths.TryGetProperty("/api/attempts/{attemptId}/submit", out _), "The document lacks the submit endpoint.");
    }
}
