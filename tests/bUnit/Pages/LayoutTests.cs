using System.Security.Claims;
using ExamConsole.Api.Admin;
using ExamConsole.Console.Components.Layout;
using ExamConsole.Console.Model;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Extensions;

namespace ExamConsole.Console.Tests.Pages;

public sealed class LayoutTests : ConsoleTest
{
    private sealed class FixedAntiforgery : AntiforgeryStateProvider
    {
        public override AntiforgeryRequestToken? GetAntiforgeryToken() => new("token-of-the-test", "__RequestVerificationToken");
    }

    private IRenderedComponent<MainLayout> RenderLayout(string name, string role)
    {
        Services.AddSingleton<AntiforgeryStateProvider>(new FixedAntiforgery());
        AddAuthorization().SetAuthorized(name).SetRoles(role).SetClaims(new Claim(ClaimTypes.Name, name));
        return Render<MainLayout>(p => p.Add(l => l.Body, (RenderFragment)(b => b.AddMarkupContent(0, "<p id=body>page</p>"))));
    }

    [Theory]
    [InlineData(AdminPolicies.OperatorRole)]
    [InlineData(AdminPolicies.ViewerRole)]
    public void Layout_SaysWhoIsSignedIn_AndOffersSignOutWithAntiforgery(string role)
    {
        var cut = RenderLayout("olga", role);

        Assert.Contains($"olga · {role}", cut.Find("[data-testid=who]").TextContent);
        var form = cut.Find("form");
        Assert.Equal("post", form.GetAttribute("method"));
        Assert.Equal("logout", form.GetAttribute("action"));
        Assert.Equal("token-of-the-test", form.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value"));
        Assert.NotNull(cut.Find("#body"));
    }

    [Fact]
    public void NavMenu_LinksEveryPage()
    {
        var cut = Render<NavMenu>();

        var links = cut.FindAll("a").Select(a => a.GetAttribute("href")).ToList();
        Assert.Equal(["", "fleet", "controls", "playbooks", "slow-queries", "leaks", "readiness", "audit", "report"], links);
    }

    [Fact]
    public void Layout_OpensWithTheChoicesStoredInTheBrowser()
    {
        JSInterop.Setup<string?>("examConsole.timeZone").SetResult("Europe/Prague");
        JSInterop.Setup<string?>("localStorage.getItem", DisplayPreferences.ZoneKey).SetResult(DisplayPreferences.LocalValue);
        JSInterop.Setup<string?>("localStorage.getItem", DisplayPreferences.ThemeKey).SetResult("dark");

        var cut = RenderLayout("olga", AdminPolicies.ViewerRole);

        cut.WaitForAssertion(() => Assert.Equal("Local", cut.Find("[data-testid=zone-toggle]").TextContent.Trim()));
        Assert.Equal("Europe/Prague", Preferences.ZoneName);
        Assert.True(Preferences.IsDark);
        Assert.True(cut.FindComponent<MudThemeProvider>().Instance.GetState(x => x.IsDarkMode));
    }

    [Fact]
    public void Layout_ZoneToggle_SwitchesToLocalTime_AndStoresIt()
    {
        JSInterop.Setup<string?>("examConsole.timeZone").SetResult("Europe/Prague");
        var cut = RenderLayout("olga", AdminPolicies.ViewerRole);
        cut.WaitForAssertion(() => Assert.Equal("UTC", cut.Find("[data-testid=zone-toggle]").TextContent.Trim()));

        cut.Find("[data-testid=zone-toggle]").Click();

        Assert.Equal("Local", cut.Find("[data-testid=zone-toggle]").TextContent.Trim());
        Assert.Equal("Europe/Prague", Preferences.ZoneName);
        Assert.Contains(JSInterop.Invocations["localStorage.setItem"], i => i.Arguments.SequenceEqual([DisplayPreferences.ZoneKey, DisplayPreferences.LocalValue]));
    }

    [Fact]
    public void Layout_ThemeToggle_GoesLightDarkThenBackToTheSystem_AndStoresEach()
    {
        var cut = RenderLayout("olga", AdminPolicies.ViewerRole);
        var theme = () => cut.FindComponent<MudThemeProvider>().Instance.GetState(x => x.IsDarkMode);
        cut.WaitForAssertion(() => Assert.Contains("follows the system", cut.Find("[data-testid=theme-toggle]").GetAttribute("aria-label")));

        cut.Find("[data-testid=theme-toggle]").Click();
        Assert.False(theme());
        cut.Find("[data-testid=theme-toggle]").Click();
        Assert.True(theme());
        cut.Find("[data-testid=theme-toggle]").Click();
        Assert.Equal(ThemeChoice.System, Preferences.Theme);

        var stored = JSInterop.Invocations["localStorage.setItem"].Where(i => (string?)i.Arguments[0] == DisplayPreferences.ThemeKey).Select(i => (string?)i.Arguments[1]);
        Assert.Equal(["light", "dark", "system"], stored);
    }
}
