using Microsoft.Playwright;

namespace ExamConsole.E2E;

/// <summary>
/// One browser context per flow: a trace is recorded all along and kept only when the flow fails;
/// a screenshot of the last page is always saved under TestResults/e2e.
/// </summary>
public static class BrowserSession
{
    public static Task RunAsync(E2EFixture fixture, string name, Func<IPage, Task> flow) =>
        RunAsync(fixture.Browser, fixture.BaseAddress, name, flow);

    /// <summary>A flow in a context of its own (its own cookies) against the host at <paramref name="baseAddress"/>.</summary>
    public static async Task RunAsync(IBrowser browser, Uri baseAddress, string name, Func<IPage, Task> flow)
    {
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
        });
        context.SetDefaultTimeout(15_000);
        await context.Tracing.StartAsync(new TracingStartOptions { Screenshots = true, Snapshots = true });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            // A JSON page has no favicon; the browser asks for one anyway. Every other error counts.
            if (message.Type == "error" && !message.Location.Contains("favicon", StringComparison.Ordinal))
            {
                errors.Add($"{message.Text} ({message.Location})");
            }
        };
        try
        {
            await flow(page);
            Assert.True(errors.Count == 0, "The browser console showed errors: " + string.Join(" | ", errors));
        }
        catch
        {
            await context.Tracing.StopAsync(new TracingStopOptions { Path = Path.Combine(E2EFixture.ArtifactsDirectory, name + ".trace.zip") });
            throw;
        }
        finally
        {
            if (!page.IsClosed)
            {
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(E2EFixture.ArtifactsDirectory, name + ".png"), FullPage = true });
            }
        }
        await context.Tracing.StopAsync();
    }
}
