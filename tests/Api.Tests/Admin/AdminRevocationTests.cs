using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using ExamConsole.Api.Admin;
using ExamConsole.Data.Admin;
using ExamConsole.Testing;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;

namespace ExamConsole.Api.Tests.Admin;

/// <summary>
/// An operator's token stops working within 5 s of the account being deleted, demoted to viewer or
/// given a new password, on the real host and database, with the real 2 s stamp cache. Each test
/// makes its own account, so no other test's sessions are touched.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class AdminRevocationTests(ApiFixture fixture)
{
    private const string LoginPath = "/api/admin/auth/login";
    private const string ReadPath = "/api/admin/audit";

    /// <summary>The promise of issue 11: revoked within 5 s.</summary>
    private static readonly TimeSpan RevokedWithin = TimeSpan.FromSeconds(5);

    private AdminAccounts Accounts => fixture.Factory.Services.GetRequiredService<AdminAccounts>();

    [Fact]
    public async Task OperatorToken_AfterTheAccountIsDeleted_IsRefusedWithin5s_AndTheLoginToo()
    {
        var account = await AdminClients.CreateAccountAsync(fixture.Factory, AdminPolicies.OperatorRole);
        var token = await UsedTokenAsync(account);

        Assert.True(await Accounts.DeleteAsync(account.Username));

        await RefusedWithinAsync(token);
        var login = await LoginAsync(account.Username, account.Password);
        await AdminAssert.ProblemAsync(login, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task OperatorToken_AfterTheAccountIsDemotedToViewer_IsRefusedWithin5s_AndANewLoginReadsButCannotAct()
    {
        var account = await AdminClients.CreateAccountAsync(fixture.Factory, AdminPolicies.OperatorRole);
        var token = await UsedTokenAsync(account);

        Assert.True(await Accounts.SetRoleAsync(account.Username, AdminPolicies.ViewerRole));

        await RefusedWithinAsync(token);
        var login = await LoginAsync(account.Username, account.Password);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var body = (await login.Content.ReadFromJsonAsync<AdminLoginBody>())!;
        Assert.Equal(AdminPolicies.ViewerRole, body.Role);
        using var viewer = ApiFixture.ClientWithToken(fixture.Factory, body.Token);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync(ReadPath)).StatusCode);
        // An invalid limit: were the viewer let through, the answer would be 400 and nothing would change.
        await AdminAssert.ProblemAsync(await viewer.PutAsJsonAsync("/api/admin/throttle", new { maxConcurrent = 0 }), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task OperatorToken_AfterAPasswordChange_IsRefusedWithin5s_WhileALoginWithTheNewPasswordWorksAtOnce()
    {
        var account = await AdminClients.CreateAccountAsync(fixture.Factory, AdminPolicies.OperatorRole);
        var token = await UsedTokenAsync(account);
        var newPassword = "new-" + Guid.NewGuid().ToString("N");

        Assert.True(await Accounts.SetPasswordAsync(account.Username, newPassword));

        // At once: this node read the old stamp a moment ago, and a session newer than that read is not judged by it.
        var login = await LoginAsync(account.Username, newPassword);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        using var renewed = ApiFixture.ClientWithToken(fixture.Factory, (await login.Content.ReadFromJsonAsync<AdminLoginBody>())!.Token);
        Assert.Equal(HttpStatusCode.OK, (await renewed.GetAsync(ReadPath)).StatusCode);
        await RefusedWithinAsync(token);
        await AdminAssert.ProblemAsync(await LoginAsync(account.Username, account.Password), HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.OK, (await renewed.GetAsync(ReadPath)).StatusCode);
    }

    [Fact]
    public async Task OperatorToken_WhoseAccountIsUnchanged_KeepsWorkingPastTheStampCache()
    {
        var account = await AdminClients.CreateAccountAsync(fixture.Factory, AdminPolicies.OperatorRole);
        var token = await UsedTokenAsync(account);
        using var client = ApiFixture.ClientWithToken(fixture.Factory, token);
        var other = await AdminClients.CreateAccountAsync(fixture.Factory, AdminPolicies.OperatorRole);

        // Another account's change is no concern of this token: it is accepted on every request, past the cache's 2 s.
        Assert.True(await Accounts.SetRoleAsync(other.Username, AdminPolicies.ViewerRole));
        var watched = Stopwatch.StartNew();
        await Eventually.UntilAsync(
            async () =>
            {
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(ReadPath)).StatusCode);
                return watched.Elapsed;
            },
            elapsed => elapsed > TimeSpan.FromSeconds(3),
            "3 s of accepted requests",
            TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task AdminToken_WithoutAStamp_IsRefused()
    {
        // A token as this deployment issued them before stamps: well signed, its account exists, no stamp.
        var account = await AdminClients.CreateAccountAsync(fixture.Factory, AdminPolicies.OperatorRole);
        var tokens = fixture.Factory.Services.GetRequiredService<Auth.TokenService>();
        var (token, _) = tokens.Issue(account.Username, AdminPolicies.OperatorRole, new Dictionary<string, object>(), TimeSpan.FromMinutes(10));
        using var client = ApiFixture.ClientWithToken(fixture.Factory, token);

        await AdminAssert.ProblemAsync(await client.GetAsync(ReadPath), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task TeacherToken_IsNotCheckedAgainstTheAccounts()
    {
        // No services at all: a teacher's token that reached for the stamp check (and its database) would throw here.
        var context = new TokenValidatedContext(
            new DefaultHttpContext { RequestServices = new ServiceCollection().BuildServiceProvider() },
            new Microsoft.AspNetCore.Authentication.AuthenticationScheme(JwtBearerDefaults.AuthenticationScheme, null, typeof(JwtBearerHandler)),
            new JwtBearerOptions())
        {
            Principal = new(new System.Security.Claims.ClaimsIdentity(
                [new("role", Auth.TokenService.TeacherRole), new(JwtRegisteredClaimNames.Sub, "42")], "Bearer")),
        };

        await AdminApi.CheckAdminSessionAsync(context);

        Assert.Null(context.Result);
    }

    /// <summary>Signs in as <paramref name="account"/> and uses the token once, so that the host has it cached and has read the stamp.</summary>
    private async Task<string> UsedTokenAsync(TestAdmin account)
    {
        var login = await LoginAsync(account.Username, account.Password);
        login.EnsureSuccessStatusCode();
        var token = (await login.Content.ReadFromJsonAsync<AdminLoginBody>())!.Token;
        using var client = ApiFixture.ClientWithToken(fixture.Factory, token);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(ReadPath)).StatusCode);
        return token;
    }

    private async Task RefusedWithinAsync(string token)
    {
        using var client = ApiFixture.ClientWithToken(fixture.Factory, token);
        await Eventually.UntilAsync(
            async () => (await client.GetAsync(ReadPath)).StatusCode,
            status => status == HttpStatusCode.Unauthorized,
            "the old token to be refused",
            RevokedWithin);
        await AdminAssert.ProblemAsync(await client.GetAsync(ReadPath), HttpStatusCode.Unauthorized);
    }

    private async Task<HttpResponseMessage> LoginAsync(string username, string password)
    {
        using var client = fixture.Factory.CreateClient();
        return await client.PostAsJsonAsync(LoginPath, new { username, password });
    }
}
