using System.Security.Claims;
using ExamConsole.Api.Admin;
using ExamConsole.Console.Components.Layout;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.DependencyInjection;

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
        Assert.Equal(["", "fleet", "controls", "playbooks", "slow-queries", "leaks", "readiness", "audit"], links);
    }
}
