using ExamConsole.Api.Admin;
using ExamConsole.Console.Auth;
using ExamConsole.Console.Components.Account;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace ExamConsole.Console.Tests.Pages;

public sealed class LoginTests : ConsoleTest
{
    private async Task<IRenderedComponent<Login>> SubmitAsync(string username, string password, string? returnUrl = null)
    {
        var navigation = Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo(returnUrl is null ? "login" : $"login?returnUrl={Uri.EscapeDataString(returnUrl)}");
        var cut = Render<Login>();
        await cut.InvokeAsync(() => cut.Find("#username").Change(username));
        await cut.InvokeAsync(() => cut.Find("#password").Change(password));
        await cut.InvokeAsync(() => cut.Find("form").Submit());
        return cut;
    }

    [Fact]
    public async Task Login_WithAWrongPassword_SaysSo_AndStays()
    {
        SignIn.Result = new AdminSignInResult.Refused();

        var cut = await SubmitAsync("olga", "wrong");

        Assert.Equal(["olga"], SignIn.Usernames);
        Assert.Contains("The username or the password is wrong.", cut.Find("[data-testid=login-error]").TextContent);
        Assert.EndsWith("/login", Services.GetRequiredService<NavigationManager>().Uri);
    }

    [Fact]
    public async Task Login_Throttled_SaysHowLongToWait()
    {
        SignIn.Result = new AdminSignInResult.Throttled(TimeSpan.FromSeconds(41.2));

        var cut = await SubmitAsync("olga", "wrong");

        Assert.Contains("wait 42 s", cut.Find("[data-testid=login-error]").TextContent);
    }

    [Fact]
    public async Task Login_Succeeding_GoesBackToThePageAsked()
    {
        SignIn.Result = new AdminSignInResult.SignedIn("olga", AdminPolicies.OperatorRole, "stamp-of-olga");

        await SubmitAsync("olga", "right", returnUrl: "/controls");

        Assert.EndsWith("/controls", Services.GetRequiredService<NavigationManager>().Uri);
    }

    [Fact]
    public async Task Login_Succeeding_NeverLeavesTheSite()
    {
        SignIn.Result = new AdminSignInResult.SignedIn("olga", AdminPolicies.OperatorRole, "stamp-of-olga");

        await SubmitAsync("olga", "right", returnUrl: "//evil.example/steal");

        Assert.Equal("http://localhost/", Services.GetRequiredService<NavigationManager>().Uri);
    }

    [Theory]
    [InlineData("/controls", "/controls")]
    [InlineData("/slow-queries?x=1", "/slow-queries?x=1")]
    [InlineData(null, "/")]
    [InlineData("https://evil.example/", "/")]
    [InlineData("//evil.example/", "/")]
    [InlineData("/\\evil.example/", "/")]
    public void ReturnUrl_StaysOnTheSite(string? returnUrl, string expected) =>
        Assert.Equal(expected, ConsoleAuth.LocalOrHome(returnUrl));
}
