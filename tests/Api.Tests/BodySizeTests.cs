using System.Net;
using ExamConsole.Api.Tests.Support;

namespace ExamConsole.Api.Tests;

/// <summary>docs/API.md's cap on request bodies: 64 KiB (ExamApi:MaxRequestBodyBytes), 413 beyond.</summary>
[Collection(ApiCollection.Name)]
public sealed class BodySizeTests(ApiFixture fixture)
{
    private const int Limit = 64 * 1024;

    [Fact]
    public async Task Login_BodyOverLimitWithContentLength_Answers413()
    {
        using var client = fixture.Factory.CreateClient();

        var response = await client.PostAsync("/api/auth/login", Scenario.Json(LoginOfSize(Limit + 1)));

        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Login_BodyOverLimitChunked_Answers413()
    {
        using var client = fixture.StreamingClient();

        var response = await client.PostAsync("/api/auth/login", new ChunkedContent(LoginOfSize(Limit + 1)));

        AssertSentChunked(response);
        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Login_BodyOfExactlyTheLimit_IsRead()
    {
        var teacher = await fixture.Data.CreateTeacherAsync([]);
        using var client = fixture.StreamingClient();
        var json = LoginOfSize(Limit, teacher.Code, teacher.Password);

        var withLength = await client.PostAsync("/api/auth/login", Scenario.Json(json));
        var chunked = await client.PostAsync("/api/auth/login", new ChunkedContent(json));

        Assert.Equal(HttpStatusCode.OK, withLength.StatusCode);
        AssertSentChunked(chunked);
        Assert.Equal(HttpStatusCode.OK, chunked.StatusCode);
    }

    [Fact]
    public async Task Login_SmallBodyInOneByteChunks_IsRead()
    {
        // 16 KiB of body, but 96 KiB on the wire: each byte travels as "1\r\nX\r\n". The cap is on the body.
        var teacher = await fixture.Data.CreateTeacherAsync([]);
        using var client = fixture.StreamingClient();

        var response = await client.PostAsync("/api/auth/login", new ChunkedContent(LoginOfSize(16 * 1024, teacher.Code, teacher.Password), chunkBytes: 1));

        AssertSentChunked(response);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Login_BodyOverLimitInOneByteChunks_Answers413()
    {
        using var client = fixture.StreamingClient();

        var response = await client.PostAsync("/api/auth/login", new ChunkedContent(LoginOfSize(Limit + 1), chunkBytes: 1));

        AssertSentChunked(response);
        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Answers_BodyOverLimitWithContentLength_Answers413AndStoresNothing()
    {
        var attempt = await fixture.ActiveAttemptAsync();

        var response = await attempt.Client.PutAsync(attempt.AnswersUrl, Scenario.Json(AnswersOfSize(attempt, Limit + 100)));

        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(0, await fixture.Data.ScalarAsync<long>("SELECT count(*) FROM answers WHERE attempt_id = @a", ("a", attempt.Id)));
    }

    [Fact]
    public async Task Answers_BodyOverLimitChunked_Answers413AndStoresNothing()
    {
        var attempt = await fixture.ActiveAttemptAsync();
        using var client = fixture.StreamingClient(attempt.Client);

        var response = await client.PutAsync(attempt.AnswersUrl, new ChunkedContent(AnswersOfSize(attempt, Limit + 1024)));

        AssertSentChunked(response);
        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(0, await fixture.Data.ScalarAsync<long>("SELECT count(*) FROM answers WHERE attempt_id = @a", ("a", attempt.Id)));
    }

    [Fact]
    public async Task Submit_BodyOverLimitChunked_Answers413AndRecordsNothing()
    {
        var attempt = await fixture.ActiveAttemptAsync();
        using var client = fixture.StreamingClient(attempt.Client);
        var answers = AnswersOfSize(attempt, Limit + 1024);
        var json = $$"""{"submissionId":"{{Guid.NewGuid()}}",{{answers[1..]}}""";

        var response = await client.PostAsync(attempt.SubmitUrl, new ChunkedContent(json));

        AssertSentChunked(response);
        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(0, await fixture.Data.ScalarAsync<long>("SELECT count(*) FROM submissions WHERE attempt_id = @a", ("a", attempt.Id)));
    }

    [Fact]
    public async Task Answers_LargeBodyUnderLimit_IsNotRefusedForItsSize()
    {
        var attempt = await fixture.ActiveAttemptAsync();
        var json = System.Text.Json.JsonSerializer.Serialize(new { answers = new[] { attempt.Answer(0, 0) } });
        // Insignificant whitespace brings a valid body close to the cap.
        json = json[..^1] + new string(' ', Limit - 10 - json.Length) + "}";

        var response = await attempt.Client.PutAsync(attempt.AnswersUrl, Scenario.Json(json));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    // Proves the test sends what it claims: no declared length for the server to refuse up front.
    private static void AssertSentChunked(HttpResponseMessage response) =>
        Assert.Null(response.RequestMessage?.Content?.Headers.ContentLength);

    /// <summary>A login body of exactly <paramref name="bytes"/> UTF-8 bytes, padded with JSON whitespace.</summary>
    private static string LoginOfSize(int bytes, string code = "T0000001", string password = "wrong")
    {
        var json = System.Text.Json.JsonSerializer.Serialize(new { teacherCode = code, password });
        return json[..^1] + new string(' ', bytes - json.Length) + "}";
    }

    /// <summary>A valid-looking answers body of at least <paramref name="bytes"/> bytes (many answers).</summary>
    private static string AnswersOfSize(ActiveAttempt attempt, int bytes)
    {
        var item = System.Text.Json.JsonSerializer.Serialize(attempt.Answer(0, 0));
        var count = bytes / (item.Length + 1) + 1;
        return "{\"answers\":[" + string.Join(',', Enumerable.Repeat(item, count)) + "]}";
    }
}
