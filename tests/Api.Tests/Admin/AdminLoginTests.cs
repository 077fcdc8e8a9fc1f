using System.Net;
using System.Net.Http.Json;
using System.Text;
using ExamConsole.Data.Admin;
using ExamConsole.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace ExamConsole.Api.Tests.Admin;

[Collection(ApiCollection.Name)]
public sealed class AdminLoginTests(ApiFixture fixture)
{
    private const string LoginPath = "/api/admin/auth/login";

    [Fact]
    public async Task Login_AsInitialAdmin_ReturnsOperatorTokenForTheConfiguredLifetime()
    {
        using var client = fixture.Factory.CreateClient();
        var lifetime = fixture.Factory.Services.GetRequiredService<IOptions<AdminOptions>>().Value.TokenLifetime;
        var before = DateTimeOffset.UtcNow;

        var response = await client.PostAsJsonAsync(LoginPath, new { username = "admin", password = ExamHostFactory.AdminPassword });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var login = await response.Content.ReadFromJsonAsync<AdminLoginBody>();
        Assert.NotNull(login);
        Assert.Equal("operator", login.Role);
        Assert.InRange(login.ExpiresAt, before + lifetime - TimeSpan.FromSeconds(5), DateTimeOffset.UtcNow + lifetime + TimeSpan.FromSeconds(5));
        var token = new JsonWebToken(login.Token);
        Assert.Equal("admin", token.Subject);
        Assert.Equal("operator", token.GetClaim("role").Value);
        using var admin = ApiFixture.ClientWithToken(fixture.Factory, login.Token);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/admin/audit")).StatusCode);
    }

    [Fact]
    public async Task Login_AsInitialViewerInAnyCase_ReturnsViewerRole()
    {
        using var client = fixture.Factory.CreateClient();

        var response = await client.PostAsJsonAsync(LoginPath, new { username = " Viewer ", password = ExamHostFactory.ViewerPassword });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var login = await response.Content.ReadFromJsonAsync<AdminLoginBody>();
        Assert.Equal("viewer", login?.Role);
    }

    [Fact]
    public async Task Login_WrongPasswordOrUnknownUser_Answers401WithTheSameProblem()
    {
        using var client = fixture.Factory.CreateClient();

        var wrongPassword = await client.PostAsJsonAsync(LoginPath, new { username = "admin", password = "not-" + ExamHostFactory.AdminPassword });
        var unknownUser = await client.PostAsJsonAsync(LoginPath, new { username = "nobody-" + Guid.NewGuid().ToString("N")[..8], password = ExamHostFactory.AdminPassword });

        var first = await AdminAssert.ProblemAsync(wrongPassword, HttpStatusCode.Unauthorized);
        var second = await AdminAssert.ProblemAsync(unknownUser, HttpStatusCode.Unauthorized);
        Assert.Equal(first.GetProperty("title").GetString(), second.GetProperty("title").GetString());
        Assert.Equal(first.GetProperty("detail").GetString(), second.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("""{"password":"whatever-password"}""", "username")]
    [InlineData("""{"username":"admin"}""", "password")]
    [InlineData("""{"username":"   ","password":"whatever-password"}""", "username")]
    [InlineData("""{"username":"admin","password":""}""", "password")]
    public async Task Login_MissingOrBlankField_Answers400NamingIt(string json, string field)
    {
        using var client = fixture.Factory.CreateClient();

        var response = await client.PostAsync(LoginPath, new StringContent(json, Encoding.UTF8, "application/json"));

        await AdminAssert.InvalidAsync(response, field);
    }

    [Fact]
    public async Task Login_UsernameLongerThanTheColumn_Answers400()
    {
        using var client = fixture.Factory.CreateClient();

        var response = await client.PostAsJsonAsync(LoginPath, new { username = new string('a', 65), password = "whatever-password" });

        await AdminAssert.InvalidAsync(response, "username");
    }

    [Fact]
    public async Task Login_BodyNotJson_Answers400()
    {
        using var client = fixture.Factory.CreateClient();

        var response = await client.PostAsync(LoginPath, new StringContent("username=admin", Encoding.UTF8, "application/json"));

        await AdminAssert.ProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Login_TooManyTriesForOneUsername_Answers429WithRetryAfter_AndOtherUsernamesStillTry()
    {
        using var client = fixture.Factory.CreateClient();
        var limit = fixture.Factory.Services.GetRequiredService<IOptions<AdminOptions>>().Value.LoginAttemptsPerWindow;
        var username = "guess-" + Guid.NewGuid().ToString("N")[..8];

        for (var i = 0; i < limit; i++)
        {
            var allowed = await client.PostAsJsonAsync(LoginPath, new { username, password = $"guess-number-{i}" });
            Assert.Equal(HttpStatusCode.Unauthorized, allowed.StatusCode);
        }
        // The same name in another case shares the budget.
        var refused = await client.PostAsJsonAsync(LoginPath, new { username = username.ToUpperInvariant(), password = "one-guess-too-many" });
        var other = await client.PostAsJsonAsync(LoginPath, new { username = username + "x", password = "first-guess-of-another" });

        await AdminAssert.ProblemAsync(refused, HttpStatusCode.TooManyRequests);
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), $"Retry-After was {refused.Headers.RetryAfter}");
        Assert.Equal(HttpStatusCode.Unauthorized, other.StatusCode);
    }
}
