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

    [Fact]
    public async Task OpenApi_Document_DeclaresTheBearerSchemeAsHttpJwt()
    {
        using var client = fixture.Factory.CreateClient();

        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));

        Assert.True(document.RootElement.TryGetProperty("components", out var components)
            && components.TryGetProperty("securitySchemes", out var schemes)
            && schemes.TryGetProperty("Bearer", out _), "The document declares no security scheme named Bearer.");
        var bearer = document.RootElement.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal("http", bearer.GetProperty("type").GetString());
        Assert.Equal("bearer", bearer.GetProperty("scheme").GetString());
        Assert.Equal("JWT", bearer.GetProperty("bearerFormat").GetString());
    }
}
