using System.Net;
using System.Net.Http.Json;
using ExamConsole.Api.Tests.Support;

namespace ExamConsole.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class LoginTests(ApiFixture fixture)
{
    private const string LoginUrl = "/api/auth/login";

    [Fact]
    public async Task Login_RightCodeAndPassword_Answers200WithTokenExpiryAndTeacherId()
    {
        var teacher = await fixture.Data.CreateTeacherAsync([]);
        using var client = fixture.Factory.CreateClient();

        var response = await client.PostAsJsonAsync(LoginUrl, new { teacherCode = teacher.Code, password = teacher.Password });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var login = await response.Content.ReadFromJsonAsync<LoginBody>();
        Assert.NotNull(login);
        Assert.False(string.IsNullOrWhiteSpace(login.Token));
        Assert.Equal(teacher.Id, login.TeacherId);
        Assert.True(login.ExpiresAt > DateTimeOffset.UtcNow, $"expiresAt {login.ExpiresAt:O} is not in the future");
    }

    [Fact]
    public async Task Login_TokenFromLogin_OpensTheTeacherEndpoints()
    {
        var teacher = await fixture.Data.CreateTeacherAsync([]);
        using var client = fixture.Factory.CreateClient();
        var login = await (await client.PostAsJsonAsync(LoginUrl, new { teacherCode = teacher.Code, password = teacher.Password }))
            .Content.ReadFromJsonAsync<LoginBody>();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/exams");
        request.Headers.Authorization = new("Bearer", login!.Token);
        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Login_LowerCaseCode_IsTheSameTeacher()
    {
        var teacher = await fixture.Data.CreateTeacherAsync([]);
        using var client = fixture.Factory.CreateClient();

        var response = await client.PostAsJsonAsync(LoginUrl, new { teacherCode = teacher.Code.ToLowerInvariant(), password = teacher.Password });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(teacher.Id, (await response.Content.ReadFromJsonAsync<LoginBody>())!.TeacherId);
    }

    [Fact]
    public async Task Login_WrongPasswordOrUnknownCode_Answers401WithTheSameTitleAndDetail()
    {
        var teacher = await fixture.Data.CreateTeacherAsync([]);
        using var client = fixture.Factory.CreateClient();

        var wrongPassword = await client.PostAsJsonAsync(LoginUrl, new { teacherCode = teacher.Code, password = teacher.Password + "x" });
        var unknownCode = await client.PostAsJsonAsync(LoginUrl, new { teacherCode = "T9" + Random.Shared.Next(1_000_000).ToString("D6"), password = teacher.Password });

        var wrong = await wrongPassword.AssertProblemAsync(HttpStatusCode.Unauthorized);
        var unknown = await unknownCode.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(wrong.GetProperty("title").GetString(), unknown.GetProperty("title").GetString());
        Assert.Equal(wrong.GetProperty("detail").GetString(), unknown.GetProperty("detail").GetString());
        Assert.False(wrong.TryGetProperty("token", out _));
    }

    [Theory]
    [InlineData("""{"password":"secret"}""", "teacherCode")]
    [InlineData("""{"teacherCode":"T0000001"}""", "password")]
    [InlineData("""{"teacherCode":"","password":""}""", "teacherCode")]
    [InlineData("""{"teacherCode":"   ","password":"secret"}""", "teacherCode")]
    [InlineData("{}", "password")]
    public async Task Login_MissingOrEmptyField_Answers400NamingTheField(string json, string field)
    {
        using var client = fixture.Factory.CreateClient();

        var response = await client.PostAsync(LoginUrl, Scenario.Json(json));

        var errors = await response.AssertValidationProblemAsync();
        Assert.Contains(field, ProblemAssert.FieldNames(errors));
    }

    [Theory]
    [InlineData("T0000001\0")]
    [InlineData("\0")]
    [InlineData("T00\u001b[2J")]
    public async Task Login_CodeWithControlCharacters_Answers400NamingTeacherCode(string code)
    {
        // PostgreSQL refuses a NUL in text: such a code must be refused at the edge, not reach the database.
        using var client = fixture.Factory.CreateClient();

        var response = await client.PostAsJsonAsync(LoginUrl, new { teacherCode = code, password = "whatever" });

        var errors = await response.AssertValidationProblemAsync();
        Assert.Contains("teacherCode", ProblemAssert.FieldNames(errors));
    }

    [Theory]
    [InlineData("""{"teacherCode":"T0000001","password":""")]
    [InlineData("""{teacherCode: T0000001}""")]
    [InlineData("not json at all")]
    [InlineData("""{"teacherCode":"T0000001","password":"x"}}""")]
    [InlineData("null")]
    [InlineData("")]
    public async Task Login_MalformedJson_Answers400WithErrors(string json)
    {
        using var client = fixture.Factory.CreateClient();

        var response = await client.PostAsync(LoginUrl, Scenario.Json(json));

        await response.AssertValidationProblemAsync();
    }

    [Fact]
    public async Task Login_FormEncodedBody_Answers415()
    {
        using var client = fixture.Factory.CreateClient();

        var response = await client.PostAsync(LoginUrl, new StringContent("teacherCode=T0000001&password=x", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));

        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task Login_MoreThanTenTriesInAMinuteForOneCode_Answers429WithRetryAfter()
    {
        var teacher = await fixture.Data.CreateTeacherAsync([]);
        using var client = fixture.Factory.CreateClient();
        for (var i = 0; i < 10; i++)
        {
            var tried = await client.PostAsJsonAsync(LoginUrl, new { teacherCode = teacher.Code, password = "wrong" });
            Assert.Equal(HttpStatusCode.Unauthorized, tried.StatusCode);
        }

        // The right password does not help once the code is over its budget.
        var response = await client.PostAsJsonAsync(LoginUrl, new { teacherCode = teacher.Code, password = teacher.Password });

        await response.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        var retryAfter = response.Headers.RetryAfter;
        Assert.NotNull(retryAfter);
        Assert.NotNull(retryAfter.Delta);
        Assert.InRange(retryAfter.Delta.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task Login_AnotherCodeWhileOneIsThrottled_IsNotThrottled()
    {
        var throttled = await fixture.Data.CreateTeacherAsync([]);
        var other = await fixture.Data.CreateTeacherAsync([]);
        using var client = fixture.Factory.CreateClient();
        for (var i = 0; i < 11; i++)
        {
            await client.PostAsJsonAsync(LoginUrl, new { teacherCode = throttled.Code, password = "wrong" });
        }

        var response = await client.PostAsJsonAsync(LoginUrl, new { teacherCode = other.Code, password = other.Password });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
