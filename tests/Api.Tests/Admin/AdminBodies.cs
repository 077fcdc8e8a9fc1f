using System.Net;
using System.Text.Json;

namespace ExamConsole.Api.Tests.Admin;

// The operator API's response shapes of docs/API.md, written out here rather than borrowed from the Api
// project, so that a renamed contract field fails these tests instead of silently following it.

internal sealed record AdminLoginBody(string Token, DateTimeOffset ExpiresAt, string Role);

internal sealed record AuditBody(DateTimeOffset At, string Actor, string Action, JsonElement? Before, JsonElement? After);

internal static class AdminAssert
{
    /// <summary>The answer is RFC 7807 problem+json with <paramref name="status"/> in both the status line and the body.</summary>
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var body = document.RootElement.Clone();
        Assert.Equal((int)status, body.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("title").GetString()));
        return body;
    }

    /// <summary>A 400 validation problem whose errors name <paramref name="field"/>.</summary>
    public static async Task<JsonElement> InvalidAsync(HttpResponseMessage response, string field)
    {
        var body = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(body.GetProperty("errors").TryGetProperty(field, out _), $"The errors do not name '{field}': {body}");
        return body;
    }
}
