using ExamConsole.Data.Admin;
using ExamConsole.Data.Entities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static ExamConsole.E2E.ConsolePage;

namespace ExamConsole.E2E;

/// <summary>
/// An open console page lives on its Blazor circuit, not on requests that bring the cookie: the
/// circuit itself must end the session of an operator who is demoted while looking at it.
/// </summary>
[Collection(E2ECollection.Name)]
public sealed class ConsoleSessionTests(E2EFixture fixture)
{
    [Fact]
    public async Task OpenControlsPage_WhenTheOperatorIsDemoted_GoesToTheSignInPageWithin5s()
    {
        var accounts = fixture.Factory.Services.GetRequiredService<AdminAccounts>();
        var username = $"e2e-{Guid.NewGuid():N}"[..24];
        var password = "pw-" + Guid.NewGuid().ToString("N");
        Assert.True(await accounts.CreateAsync(username, password, AdminRoles.Operator));

        await BrowserSession.RunAsync(fixture, "08-demoted-operator", async page =>
        {
            await SignInAsync(page, username, password);
            await page.WaitForURLAsync(url => !url.Contains("/login", StringComparison.Ordinal));
            await OpenAsync(page, "/controls");
            await Assertions.Expect(page.GetByTestId("open-resize")).ToBeEnabledAsync();

            Assert.True(await accounts.SetRoleAsync(username, AdminRoles.Viewer));

            // No reload, no click: the circuit finds the session ended and sends the page to sign-in.
            await EventuallyAsync(() => Task.FromResult(page.Url.Contains("/login", StringComparison.Ordinal)), "the open page to go to the sign-in page", seconds: 5);
        });
    }
}
