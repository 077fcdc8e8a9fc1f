using System.Net;
using System.Text.RegularExpressions;
using ExamConsole.Api.Admin;
using ExamConsole.Api.Tests.Admin;
using ExamConsole.Data.Admin;
using ExamConsole.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ExamConsole.Api.Tests;

/// <summary>
/// The console's cookie sign-in lives beside the API's bearer tokens: pages redirect to the sign-in
/// page, while /api keeps answering 401/403 problem+json, cookie or not.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed partial class ConsoleAuthTests(ApiFixture fixture)
{
    // A browser of our own on the host's real socket: it must see the redirects, not follow them.
    private HttpClient Browser() =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() })
        {
            BaseAddress = fixture.Factory.ClientOptions.BaseAddress,
        };

    private static async Task<HttpResponseMessage> SignInAsync(HttpClient browser, string username, string password)
    {
        var form = await browser.GetStringAsync("/login?returnUrl=%2Fcontrols");
        var token = AntiforgeryField().Match(form).Groups[1].Value;
        return await browser.PostAsync("/login?returnUrl=%2Fcontrols", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["_handler"] = "login",
            ["Input.Username"] = username,
            ["Input.Password"] = password,
        }));
    }

    [Fact]
    public async Task ConsolePage_WithoutCookie_RedirectsToTheSignInPage()
    {
        using var browser = Browser();

        var response = await browser.GetAsync("/controls");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/login", response.Headers.Location!.AbsolutePath);
        Assert.Contains("ReturnUrl=%2Fcontrols", response.Headers.Location.Query);
    }

    [Fact]
    public async Task ConsoleCookie_OpensThePages_ButNeverTheApi()
    {
        using var browser = Browser();

        var signIn = await SignInAsync(browser, "viewer", ExamHostFactory.ViewerPassword);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal("/controls", signIn.Headers.Location!.AbsolutePath);

        var page = await browser.GetAsync("/controls");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);

        var api = await browser.GetAsync("/api/admin/pool");
        await AdminAssert.ProblemAsync(api, HttpStatusCode.Unauthorized);
        Assert.Contains(api.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
    }

    [Fact]
    public async Task ConsoleSignIn_WithAWrongPassword_SetsNoCookie()
    {
        using var browser = Browser();

        var signIn = await SignInAsync(browser, "nobody-" + Guid.NewGuid().ToString("N")[..8], "not-a-password");

        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        Assert.Contains("The username or the password is wrong.", await signIn.Content.ReadAsStringAsync());
        Assert.False(signIn.Headers.Contains("Set-Cookie") && signIn.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith("examconsole.console=", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task ConsoleCookie_AfterTheOperatorIsDemoted_IsDroppedWithin5s()
    {
        var account = await AdminClients.CreateAccountAsync(fixture.Factory, AdminPolicies.OperatorRole);
        using var browser = Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await SignInAsync(browser, account.Username, account.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/controls")).StatusCode);

        Assert.True(await fixture.Factory.Services.GetRequiredService<AdminAccounts>().SetRoleAsync(account.Username, AdminPolicies.ViewerRole));

        var dropped = await Eventually.UntilAsync(
            () => browser.GetAsync("/controls"),
            response => response.StatusCode == HttpStatusCode.Redirect,
            "the console to send the demoted operator to the sign-in page",
            TimeSpan.FromSeconds(5));
        Assert.Equal("/login", dropped.Headers.Location!.AbsolutePath);
        Assert.Contains(dropped.Headers.GetValues("Set-Cookie"), c => c.StartsWith("examconsole.console=;", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SignOut_WithoutTheAntiforgeryToken_IsRefused()
    {
        using var browser = Browser();

        var response = await browser.PostAsync("/logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["returnUrl"] = "/" }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
