using System.Globalization;
using Microsoft.Playwright;
using static ExamConsole.E2E.ConsolePage;

namespace ExamConsole.E2E;

/// <summary>The exam-day report in Chromium: read from the history the host writes to PostgreSQL, and its CSV downloaded.</summary>
[Collection(E2ECollection.Name)]
public sealed class ReportFlowTests(E2EFixture fixture)
{
    private static readonly string[] TrafficRoutes = ["PUT /api/attempts/{attemptId}/answers", "GET /api/attempts/{attemptId}"];

    [Fact]
    public async Task Report_Last10MinutesAfterTraffic_ShowsTheRoutes_AndItsCsvDownloadsWithTheirCounts()
    {
        await using (var traffic = await TeacherTraffic.StartAsync(fixture, teachers: 3))
        {
            await EventuallyAsync(() => Task.FromResult(traffic.Answers.Count >= 60), "the teachers' traffic to be under way");
        }
        await BrowserSession.RunAsync(fixture, "20-report-csv", async page =>
        {
            await SignInAsOperatorAsync(page);
            await OpenAsync(page, "/report");
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Exam-day report" })).ToBeVisibleAsync();

            // The history is written in batches (History:FlushInterval): read the last 10 minutes again until the traffic is in
            // it. (A click before the circuit is up does nothing; the next round clicks again.)
            await EventuallyAsync(async () =>
            {
                await page.GetByTestId("range-last10minutes").ClickAsync();
                await Assertions.Expect(page.GetByTestId("export-csv")).ToBeVisibleAsync();
                foreach (var route in TrafficRoutes)
                {
                    var requests = page.Locator($"[data-testid=report-route][data-route='{route}'] [data-testid=route-requests]");
                    if (await requests.CountAsync() == 0 || await requests.InnerTextAsync() == "0")
                    {
                        return false;
                    }
                }
                return true;
            }, "the report of the last 10 minutes to show the teachers' routes with requests", seconds: 40);

            var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("export-csv").ClickAsync());
            Assert.Matches("^exam-report-[0-9]{8}T[0-9]{6}Z-[0-9]{8}T[0-9]{6}Z\\.csv$", download.SuggestedFilename);
            var csv = await File.ReadAllTextAsync(await download.PathAsync());
            var lines = csv.TrimStart('\uFEFF').Split("\r\n");
            Assert.StartsWith("section,name,node,actor,from_utc,to_utc,requests,errors,", lines[0]);
            foreach (var route in TrafficRoutes)
            {
                var row = lines.SingleOrDefault(l => l.StartsWith($"route,{route},", StringComparison.Ordinal));
                Assert.True(row is not null, $"The CSV has no row for {route}:\n{csv}");
                var requests = long.Parse(row.Split(',')[6], CultureInfo.InvariantCulture);
                Assert.True(requests > 0, $"{route} has {requests} requests in the CSV");
            }
        });
    }

    [Fact]
    public async Task ReportExport_WithoutTheConsoleCookie_IsRefused()
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = fixture.BaseAddress };
        var now = DateTimeOffset.UtcNow;

        var answer = await client.GetAsync($"/report/export.csv?from={now.AddMinutes(-10):O}&to={now:O}".Replace("+", "%2B", StringComparison.Ordinal));

        // .NET 10's cookie handler answers an API-like endpoint (a minimal API) 401 rather than redirecting to the sign-in page.
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, answer.StatusCode);
    }
}
