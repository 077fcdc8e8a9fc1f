using ExamConsole.Console.Components.Pages;
using ExamConsole.Console.Model;
using ExamConsole.Console.Tests.Fakes;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace ExamConsole.Console.Tests.Pages;

public sealed class ReportTests : ConsoleTest
{
    [Fact]
    public void Report_Opens_OnTheLast10Minutes()
    {
        var cut = RenderPage<Report>(Viewer);

        Assert.Equal((Samples.Start.AddMinutes(-10), Samples.Start), Assert.Single(History.ReportReads));
        Assert.Equal("true", cut.Find("[data-testid=range-last10minutes]").GetAttribute("aria-pressed"));
        Assert.Contains("Last 10 minutes: from 2026-11-27 08:50:00 to 2026-11-27 09:00:00 UTC", cut.Find("[data-testid=report-range]").TextContent);
    }

    [Fact]
    public void Report_ShowsEachRouteAgainstItsTarget()
    {
        var cut = RenderPage<Report>(Viewer);

        var rows = cut.FindAll("[data-testid=report-route]");
        Assert.Equal(3, rows.Count);
        var login = rows.Single(r => r.GetAttribute("data-route") == "POST /api/auth/login");
        Assert.Equal("300", login.QuerySelector("[data-testid=route-requests]")!.TextContent);
        Assert.Equal("missed", login.QuerySelector("[data-testid=route-result]")!.TextContent);
        Assert.Contains("slo-missed", login.ClassName);
        Assert.Contains("7.90 ms", login.TextContent);
        Assert.Equal("met", rows.Single(r => r.GetAttribute("data-route") == "GET /api/exams/{examId}/paper").QuerySelector("[data-testid=route-result]")!.TextContent);
        Assert.Equal("no target", rows.Single(r => r.GetAttribute("data-route") == "PUT /api/attempts/{attemptId}/answers").QuerySelector("[data-testid=route-result]")!.TextContent);
    }

    [Fact]
    public void Report_ARouteWithATargetButNoTraffic_ShowsNoPercentiles()
    {
        History.Report = History.Report with { Routes = [new("POST /api/attempts/{attemptId}/submit", 10, 0, 0, 0, 0, 0, null)] };

        var cut = RenderPage<Report>(Viewer);

        var row = cut.Find("[data-testid=report-route]");
        Assert.Equal("no traffic", row.QuerySelector("[data-testid=route-result]")!.TextContent);
        Assert.DoesNotContain("0.00 ms", row.TextContent);
        Assert.Contains("10.0 ms", row.TextContent);
    }

    [Fact]
    public void Report_ShowsThePoolIncidentsAndActions()
    {
        var cut = RenderPage<Report>(Viewer);

        Assert.Equal("82.5 %", cut.Find("[data-testid=pool-peak] .figure-value").TextContent);
        Assert.Equal("42.3 ms", cut.Find("[data-testid=pool-acquire] .figure-value").TextContent);
        Assert.Equal("3", cut.Find("[data-testid=pool-timeouts] .figure-value").TextContent);
        Assert.Equal("30", cut.Find("[data-testid=pool-red] .figure-value").TextContent);
        var incidents = cut.FindAll("[data-testid=report-incident]");
        Assert.Equal(2, incidents.Count);
        Assert.Contains("2026-11-27 08:54:00", incidents[0].TextContent);
        Assert.Contains("2026-11-27 08:55:00", incidents[0].TextContent);
        Assert.Contains("still on", incidents[1].TextContent);
        var action = Assert.Single(cut.FindAll("[data-testid=report-action]"));
        Assert.Contains("olga", action.TextContent);
        Assert.Contains("pool.resize", action.TextContent);
    }

    [Fact]
    public void Report_InLocalTime_ShowsTimesInTheBrowsersZone()
    {
        Preferences.Load("Europe/Prague", DisplayPreferences.LocalValue, null, systemDark: false);

        var cut = RenderPage<Report>(Viewer);

        Assert.Contains("2026-11-27 09:54:00", cut.FindAll("[data-testid=report-incident]")[0].TextContent);
        Assert.Contains("from 2026-11-27 09:50:00 to 2026-11-27 10:00:00 Europe/Prague", cut.Find("[data-testid=report-range]").TextContent);
    }

    [Fact]
    public void Report_ExportLinks_CarryTheRangeInUtc_AndDownload()
    {
        var cut = RenderPage<Report>(Viewer);

        var csv = cut.Find("[data-testid=export-csv]");
        Assert.Equal("report/export.csv?from=2026-11-27T08%3A50%3A00.000Z&to=2026-11-27T09%3A00%3A00.000Z", csv.GetAttribute("href"));
        Assert.Equal("exam-report-20261127T085000Z-20261127T090000Z.csv", csv.GetAttribute("download"));
        Assert.StartsWith("report/export.json?from=2026-11-27T08%3A50%3A00.000Z", cut.Find("[data-testid=export-json]").GetAttribute("href"));
    }

    [Fact]
    public void Report_ChoosingLastHour_ReadsThatRange()
    {
        var cut = RenderPage<Report>(Viewer);

        cut.Find("[data-testid=range-lasthour]").Click();

        Assert.Equal((Samples.Start.AddHours(-1), Samples.Start), History.ReportReads[^1]);
        Assert.Contains("from=2026-11-27T08%3A00%3A00.000Z", cut.Find("[data-testid=export-csv]").GetAttribute("href"));
    }

    [Fact]
    public void Report_RangeTheServerRefuses_SaysWhy_AndOffersNoExport()
    {
        History.Refusal = "from must be within the history kept.";

        var cut = RenderPage<Report>(Viewer);

        Assert.Contains("from must be within the history kept.", cut.Find("[data-testid=report-error]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=export-csv]"));
        Assert.Empty(cut.FindAll("[data-testid=report-route]"));
    }

    [Fact]
    public void Report_FromASharedLink_OpensItsRange_AsCustom()
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo("report?from=2026-11-27T07:00:00Z&to=2026-11-27T08:00:00Z");

        var cut = RenderPage<Report>(Viewer);

        Assert.Equal((new DateTimeOffset(2026, 11, 27, 7, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero)), Assert.Single(History.ReportReads));
        Assert.Equal("true", cut.Find("[data-testid=range-custom]").GetAttribute("aria-pressed"));
        Assert.Equal("2026-11-27T07:00", cut.Find("#range-from").GetAttribute("value"));
    }
}
