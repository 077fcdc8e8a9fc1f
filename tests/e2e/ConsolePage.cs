using System.Text.RegularExpressions;
using ExamConsole.Testing;
using Microsoft.Playwright;

namespace ExamConsole.E2E;

/// <summary>What the flows do in the console, written once: sign in, open a page, read a figure, confirm a dialog.</summary>
public static partial class ConsolePage
{
    public static async Task SignInAsync(IPage page, string username, string password)
    {
        await page.GotoAsync("/login");
        await page.Locator("#username").FillAsync(username);
        await page.Locator("#password").FillAsync(password);
        await page.Locator("button[type=submit]").ClickAsync();
    }

    public static async Task SignInAsOperatorAsync(IPage page)
    {
        await SignInAsync(page, "admin", ExamHostFactory.AdminPassword);
        await page.WaitForURLAsync(url => !url.Contains("/login", StringComparison.Ordinal));
        // The interactive circuit is up once live figures arrive.
        await Assertions.Expect(page.GetByTestId("sampled-at")).ToBeVisibleAsync();
    }

    /// <summary>Goes to a console page through the app's own navigation (keeps the Blazor circuit).</summary>
    public static async Task OpenAsync(IPage page, string path)
    {
        await page.GotoAsync(path);
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
    }

    /// <summary>The value of a labelled figure (data-testid of the Figure).</summary>
    public static async Task<string> FigureAsync(IPage page, string testId) =>
        (await page.GetByTestId(testId).Locator(".figure-value").InnerTextAsync()).Trim();

    public static async Task<long> NumberAsync(IPage page, string testId) =>
        long.Parse(NonDigits().Replace(await FigureAsync(page, testId), ""), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Clicks the apply button of the dialog that is open.</summary>
    public static async Task ApplyDialogAsync(IPage page)
    {
        var dialog = page.Locator(".mud-dialog");
        await dialog.GetByTestId("apply").ClickAsync();
        // The change goes through the server's circuit: as long as any other wait of the flows (the
        // 5 s default failed once on CI, 2026-12-03, while the other suites ran beside it).
        await Assertions.Expect(dialog).ToHaveCountAsync(0, new() { Timeout = 15_000 });
    }

    /// <summary>Waits, with a deadline, until <paramref name="condition"/> holds.</summary>
    public static Task EventuallyAsync(Func<Task<bool>> condition, string what, int seconds = 20) =>
        Eventually.TrueAsync(condition, what, TimeSpan.FromSeconds(seconds));

    [GeneratedRegex("[^0-9-]")]
    private static partial Regex NonDigits();
}
