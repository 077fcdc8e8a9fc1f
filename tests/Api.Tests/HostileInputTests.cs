using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ExamConsole.Api.Tests.Support;

namespace ExamConsole.Api.Tests;

/// <summary>
/// Input a client should never send: none of it may produce a 5xx, and every refusal is a clean
/// problem+json with no stack trace, SQL or driver name in it.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class HostileInputTests(ApiFixture fixture)
{
    // Named, so that test names stay readable with a 10,000-character value among them.
    private static readonly Dictionary<string, string> Strings = new()
    {
        ["sql-drop"] = "'; DROP TABLE teachers; --",
        ["sql-or"] = "1 OR 1=1",
        ["sql-quote-or"] = "T0000001' OR '1'='1",
        ["sql-union"] = "x' UNION SELECT password_hash FROM teachers --",
        ["sql-comment"] = "T0000001'--",
        ["ten-thousand-chars"] = new string('A', 10_000),
        ["nul-char"] = "T0000001\0",
        ["control-chars"] = "\u0001\u0002\u001b[31m",
        ["script"] = "<script>alert(1)</script>",
        ["format"] = "%s%s%s%n{0}{{7*7}}",
        ["path"] = "../../../../etc/passwd",
        ["unicode"] = "Téàçö😀",
        ["json-in-string"] = "{\"teacherCode\":\"T0000001\"}",
    };

    // Raw JSON values where a number or a UUID belongs.
    private static readonly Dictionary<string, string> Values = new()
    {
        ["negative"] = "-1",
        ["zero"] = "0",
        ["int-max"] = int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["int-overflow"] = "2147483648",
        ["long-max"] = long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["huge-exponent"] = "1e30",
        ["fraction"] = "1.5",
        ["null"] = "null",
        ["array"] = "[1,2]",
        ["object"] = "{\"id\":1}",
        ["boolean"] = "true",
        ["string"] = "\"abc\"",
        ["sql-string"] = "\"1 OR 1=1\"",
    };

    public static TheoryData<string> StringNames => new(Strings.Keys);

    public static TheoryData<string> ValueNames => new(Values.Keys);

    // A JSON string is a legal teacher code or password, so login is only offered the other kinds.
    public static TheoryData<string> NonStringValueNames => new(Values.Where(v => !v.Value.StartsWith('"')).Select(v => v.Key));

    [Theory]
    [MemberData(nameof(StringNames))]
    public async Task Login_HostileCodeAndPassword_IsRefusedCleanly(string name)
    {
        using var client = fixture.Factory.CreateClient();

        var response = await client.PostAsJsonAsync("/api/auth/login", new { teacherCode = Strings[name], password = Strings[name] });

        await response.AssertSafeRefusalAsync();
        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.BadRequest, HttpStatusCode.Unauthorized });
        await AssertTeachersTableIntactAsync();
    }

    [Theory]
    [MemberData(nameof(StringNames))]
    public async Task Login_HostilePasswordForARealTeacher_IsRefusedCleanly(string name)
    {
        var teacher = await fixture.Data.CreateTeacherAsync([]);
        using var client = fixture.Factory.CreateClient();

        var response = await client.PostAsJsonAsync("/api/auth/login", new { teacherCode = teacher.Code, password = Strings[name] });

        await response.AssertSafeRefusalAsync();
        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.BadRequest, HttpStatusCode.Unauthorized });
        await AssertTeachersTableIntactAsync();
    }

    [Theory]
    [MemberData(nameof(NonStringValueNames))]
    public async Task Login_WrongJsonTypes_Answers400(string name)
    {
        using var client = fixture.Factory.CreateClient();
        var json = $$"""{"teacherCode":{{Values[name]}},"password":{{Values[name]}}}""";

        var response = await client.PostAsync("/api/auth/login", Scenario.Json(json));

        await response.AssertValidationProblemAsync();
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("""[{"teacherCode":"T0000001","password":"x"}]""")]
    [InlineData("\"T0000001\"")]
    [InlineData("42")]
    [InlineData("""{"teacherCode":["T0000001"],"password":["x"]}""")]
    [InlineData("""{"teacherCode":{"$ne":null},"password":{"$ne":null}}""")]
    public async Task Login_BodyOfTheWrongShape_Answers400(string json)
    {
        using var client = fixture.Factory.CreateClient();

        var response = await client.PostAsync("/api/auth/login", Scenario.Json(json));

        await response.AssertValidationProblemAsync();
    }

    [Theory]
    [InlineData(new byte[] { 0x7b, 0x22, 0x74, 0x65, 0x61, 0x63, 0x68, 0x65, 0x72, 0x43, 0x6f, 0x64, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d })]
    [InlineData(new byte[] { 0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf, 0x7b, 0x7d })]
    [InlineData(new byte[] { 0x00, 0x00, 0x00, 0x00 })]
    public async Task Login_InvalidUtf8_Answers400(byte[] body)
    {
        using var client = fixture.Factory.CreateClient();
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");

        var response = await client.PostAsync("/api/auth/login", content);

        await response.AssertValidationProblemAsync();
    }

    [Fact]
    public async Task Login_LoneSurrogateEscape_Answers400()
    {
        using var client = fixture.Factory.CreateClient();

        var response = await client.PostAsync("/api/auth/login", Scenario.Json("""{"teacherCode":"T\ud800","password":"\udfff"}"""));

        await response.AssertValidationProblemAsync();
    }

    [Theory]
    [MemberData(nameof(StringNames))]
    public async Task Answers_HostileStringsAsIds_Answers400(string name)
    {
        var attempt = await fixture.ActiveAttemptAsync();
        var value = JsonSerializer.Serialize(Strings[name]);
        var option = attempt.Paper.Questions[0].Options[0].OptionId;

        var asQuestion = await attempt.Client.PutAsync(attempt.AnswersUrl, Scenario.Json($$"""{"answers":[{"questionId":{{value}},"optionId":{{option}}}]}"""));
        var asBody = await attempt.Client.PutAsync(attempt.AnswersUrl, Scenario.Json(value));

        await asQuestion.AssertValidationProblemAsync();
        await asBody.AssertValidationProblemAsync();
        Assert.Equal(0, await fixture.Data.ScalarAsync<long>("SELECT count(*) FROM answers WHERE attempt_id = @a", ("a", attempt.Id)));
    }

    [Theory]
    [MemberData(nameof(ValueNames))]
    public async Task Answers_HostileValuesAsIds_Answers400(string name)
    {
        var attempt = await fixture.ActiveAttemptAsync();
        var question = attempt.Paper.Questions[0];

        var asQuestion = await attempt.Client.PutAsync(attempt.AnswersUrl, Scenario.Json($$"""{"answers":[{"questionId":{{Values[name]}},"optionId":{{question.Options[0].OptionId}}}]}"""));
        var asOption = await attempt.Client.PutAsync(attempt.AnswersUrl, Scenario.Json($$"""{"answers":[{"questionId":{{question.QuestionId}},"optionId":{{Values[name]}}}]}"""));
        var asList = await attempt.Client.PutAsync(attempt.AnswersUrl, Scenario.Json($$"""{"answers":{{Values[name]}}}"""));

        await asQuestion.AssertValidationProblemAsync();
        await asOption.AssertValidationProblemAsync();
        await asList.AssertValidationProblemAsync();
        Assert.Equal(0, await fixture.Data.ScalarAsync<long>("SELECT count(*) FROM answers WHERE attempt_id = @a", ("a", attempt.Id)));
    }

    [Theory]
    [MemberData(nameof(StringNames))]
    public async Task Submit_HostileStringsAsSubmissionIdOrIds_Answers400(string name)
    {
        var attempt = await fixture.ActiveAttemptAsync();
        var value = JsonSerializer.Serialize(Strings[name]);

        var asSubmissionId = await attempt.Client.PostAsync(attempt.SubmitUrl, Scenario.Json($$"""{"submissionId":{{value}},"answers":[]}"""));
        var asQuestion = await attempt.Client.PostAsync(attempt.SubmitUrl, Scenario.Json($$"""{"submissionId":"{{Guid.NewGuid()}}","answers":[{"questionId":{{value}},"optionId":1}]}"""));

        await asSubmissionId.AssertValidationProblemAsync();
        await asQuestion.AssertValidationProblemAsync();
        Assert.Equal(0, await fixture.Data.ScalarAsync<long>("SELECT count(*) FROM submissions WHERE attempt_id = @a", ("a", attempt.Id)));
    }

    [Theory]
    [MemberData(nameof(ValueNames))]
    public async Task Submit_HostileValues_Answers400(string name)
    {
        var attempt = await fixture.ActiveAttemptAsync();
        var question = attempt.Paper.Questions[0];

        var asSubmissionId = await attempt.Client.PostAsync(attempt.SubmitUrl, Scenario.Json($$"""{"submissionId":{{Values[name]}},"answers":[]}"""));
        var asQuestion = await attempt.Client.PostAsync(attempt.SubmitUrl, Scenario.Json($$"""{"submissionId":"{{Guid.NewGuid()}}","answers":[{"questionId":{{Values[name]}},"optionId":{{question.Options[0].OptionId}}}]}"""));
        var asOption = await attempt.Client.PostAsync(attempt.SubmitUrl, Scenario.Json($$"""{"submissionId":"{{Guid.NewGuid()}}","answers":[{"questionId":{{question.QuestionId}},"optionId":{{Values[name]}}}]}"""));

        await asSubmissionId.AssertValidationProblemAsync();
        await asQuestion.AssertValidationProblemAsync();
        await asOption.AssertValidationProblemAsync();
        Assert.Equal(0, await fixture.Data.ScalarAsync<long>("SELECT count(*) FROM submissions WHERE attempt_id = @a", ("a", attempt.Id)));
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("0")]
    [InlineData("2147483647")]
    [InlineData("9223372036854775807")]
    [InlineData("9223372036854775808")]
    [InlineData("1e30")]
    [InlineData("1%20OR%201=1")]
    [InlineData("%27%3B%20DROP%20TABLE%20teachers%3B%20--")]
    public async Task Routes_HostileIds_Answer404NeverA5xx(string id)
    {
        var attempt = await fixture.ActiveAttemptAsync();
        var answers = new { answers = new[] { attempt.Answer(0, 0) } };

        var responses = new[]
        {
            await attempt.Client.GetAsync($"/api/exams/{id}/paper"),
            await attempt.Client.PostAsync($"/api/exams/{id}/attempts", null),
            await attempt.Client.PutAsJsonAsync($"/api/attempts/{id}/answers", answers),
            await attempt.Client.PostAsJsonAsync($"/api/attempts/{id}/submit", new { submissionId = Guid.NewGuid(), answers = Array.Empty<object>() }),
            await attempt.Client.GetAsync($"/api/attempts/{id}"),
        };

        foreach (var response in responses)
        {
            await response.AssertProblemAsync(HttpStatusCode.NotFound);
        }
        await AssertTeachersTableIntactAsync();
    }

    private async Task AssertTeachersTableIntactAsync()
    {
        Assert.True(await fixture.Data.ScalarAsync<bool>("SELECT to_regclass('public.teachers') IS NOT NULL"), "The teachers table is gone.");
        Assert.True(await fixture.Data.ScalarAsync<long>("SELECT count(*) FROM teachers") >= 40, "Seeded teachers are missing.");
    }
}
