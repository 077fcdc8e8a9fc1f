using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using static ExamConsole.E2E.ConsolePage;

namespace ExamConsole.E2E;

/// <summary>axe-core on every console page as an operator sees it, in the light and the dark theme: no serious or critical violation.</summary>
[Collection(E2ECollection.Name)]
public sealed class AccessibilityTests(E2EFixture fixture)
{
    private static readonly string[] Blocking = ["serious", "critical"];

    public static TheoryData<string, string> Pages => new()
    {
        { "/", "Overview" },
        { "/fleet", "Fleet" },
        { "/controls", "Controls" },
        { "/playbooks", "Emergency playbooks" },
        { "/slow-queries", "Slow queries" },
        { "/leaks", "Connection leaks" },
        { "/readiness", "Pre-deployment readiness" },
        { "/audit", "Audit log" },
        { "/report", "Exam-day report" },
    };

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task ConsolePage_HasNoSeriousOrCriticalViolations(string path, string heading)
    {
        await BrowserSession.RunAsync(fixture, "30-axe" + path.Replace('/', '-'), async page =>
        {
            await SignInAsOperatorAsync(page);
            await OpenAsync(page, path);
            await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync(heading);
            await AssertNoBlockingViolationsAsync(page, path + " (light)");

            // The same page in the dark theme: contrast is the rule most likely to differ. The toggle goes system, light,
            // dark; a click before the circuit is up does nothing, so click until it says dark.
            var toggle = page.GetByTestId("theme-toggle");
            await EventuallyAsync(async () =>
            {
                if ((await toggle.GetAttributeAsync("aria-label"))?.StartsWith("Dark theme", StringComparison.Ordinal) == true)
                {
                    return true;
                }
                await toggle.ClickAsync();
                return false;
            }, "the theme to be dark");
            // The dark palette's background (ConsoleTheme) is in force before axe looks.
            await Assertions.Expect(page.Locator("body")).ToHaveCSSAsync("background-color", "rgb(34, 34, 41)");
            await AssertNoBlockingViolationsAsync(page, path + " (dark)");
        });
    }

    [Fact]
    public async Task LoginPage_HasNoSeriousOrCriticalViolations()
    {
        await BrowserSession.RunAsync(fixture, "30-axe-login", async page =>
        {
            await page.GotoAsync("/login");
            await Assertions.Expect(page.Locator("#username")).ToBeVisibleAsync();
            await AssertNoBlockingViolationsAsync(page, "/login");
        });
    }

    private static async Task AssertNoBlockingViolationsAsync(IPage page, string what)
    {
        // Colours still in a CSS transition are measured half way: MudBlazor's chips fade their background
        // over 300 ms after a theme change, and axe once found a chip mid-fade below the contrast ratio.
        await page.WaitForFunctionAsync("() => document.getAnimations().every(a => !(a instanceof CSSTransition) || a.playState === 'finished')");
        var result = await page.RunAxe();
        var blocking = result.Violations.Where(v => Blocking.Contains(v.Impact)).ToList();
        Assert.True(blocking.Count == 0, $"{what}: {blocking.Count} serious or critical axe violations:\n" + string.Join("\n", blocking.Select(Describe)));
    }

    private static string Describe(AxeResultItem violation) =>
        $"- {violation.Id} [{violation.Impact}] {violation.Help}\n" + string.Join("\n", violation.Nodes.Take(5).Select(n => $"    {n.Target}: {n.Html}"));
}
