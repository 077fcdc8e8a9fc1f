using System.Net;
using System.Text.Json;

namespace ExamConsole.Api.Tests.Support;

/// <summary>Assertions on the RFC 7807 answers that docs/API.md promises for every error.</summary>
internal static class ProblemAssert
{
    public const string ContentType = "application/problem+json";

    // What an error body must never carry: a .NET stack frame, SQL text, driver or exception names,
    // connection string parts. Case-sensitive on purpose: "SELECT" is SQL, "selected" is prose.
    private static readonly string[] Leaks =
    [
        "   at ", "SELECT", "INSERT", "UPDATE ", "DELETE ", "Npgsql", "Exception", "Host=", "Username=", "Password=",
    ];

    /// <summary>
    /// Asserts <paramref name="response"/> is a problem+json answer with the <paramref name="expected"/>
    /// status in both the status line and the body, a title, and nothing leaked; returns the body.
    /// </summary>
    public static async Task<JsonElement> AssertProblemAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(
            response.StatusCode == expected,
            $"Expected {(int)expected} {expected}, got {(int)response.StatusCode} {response.StatusCode}: {body}");
        return AssertProblemBody(response, body);
    }

    /// <summary>As <see cref="AssertProblemAsync"/> for a 400 that names the bad fields; returns the errors object.</summary>
    public static async Task<JsonElement> AssertValidationProblemAsync(this HttpResponseMessage response)
    {
        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.TryGetProperty("errors", out var errors), $"No errors object in {problem}");
        Assert.Equal(JsonValueKind.Object, errors.ValueKind);
        Assert.NotEmpty(errors.EnumerateObject());
        return errors;
    }

    /// <summary>
    /// For hostile input: whatever the status, never a 5xx, and an error answer is a clean problem+json.
    /// </summary>
    public static async Task AssertSafeRefusalAsync(this HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode < 500, $"Got {(int)response.StatusCode}: {body}");
        Assert.True((int)response.StatusCode >= 400, $"Hostile input was accepted with {(int)response.StatusCode}: {body}");
        AssertProblemBody(response, body);
    }

    /// <summary>
    /// Asserts the body holds the standard problem members and nothing else: a refusal must not
    /// carry the data it refused to show (an attempt's deadline, answers, receipt...).
    /// </summary>
    public static void AssertOnlyProblemFields(JsonElement problem)
    {
        string[] allowed = ["type", "title", "status", "detail", "instance", "traceId"];
        Assert.All(problem.EnumerateObject(), p => Assert.Contains(p.Name, allowed));
    }

    /// <summary>The names of the fields the errors object complains about.</summary>
    public static IReadOnlyList<string> FieldNames(JsonElement errors) => errors.EnumerateObject().Select(p => p.Name).ToList();

    private static JsonElement AssertProblemBody(HttpResponseMessage response, string body)
    {
        Assert.Equal(ContentType, response.Content.Headers.ContentType?.MediaType);
        foreach (var leak in Leaks)
        {
            Assert.False(body.Contains(leak, StringComparison.Ordinal), $"The error body leaks \"{leak}\": {body}");
        }
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement.Clone();
        Assert.Equal(JsonValueKind.Object, root.ValueKind);
        Assert.Equal((int)response.StatusCode, root.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("title").GetString()), $"No title in {body}");
        return root;
    }
}
