using ExamConsole.Console.Components.Pages;
using ExamConsole.Console.Tests.Fakes;

namespace ExamConsole.Console.Tests.Pages;

public sealed class OverviewRangeTests : ConsoleTest
{
    [Fact]
    public void Overview_OpensLive_WithTheInMemoryCharts_AndReadsNoHistory()
    {
        var cut = RenderPage<Overview>(Viewer);

        Assert.Equal("true", cut.Find("[data-testid=range-live]").GetAttribute("aria-pressed"));
        Assert.NotNull(cut.Find("[data-testid=chart-connections]"));
        Assert.Empty(cut.FindAll("[data-testid=range-history]"));
        Assert.Empty(History.HistoryReads);
    }

    [Fact]
    public void Overview_LastHour_ReadsTheHistory_AndSwapsTheLiveChartsForIt()
    {
        var cut = RenderPage<Overview>(Viewer);

        cut.Find("[data-testid=range-lasthour]").Click();

        Assert.Equal((Samples.Start.AddHours(-1), Samples.Start), Assert.Single(History.HistoryReads));
        Assert.NotNull(cut.Find("[data-testid=range-chart-traffic]"));
        Assert.Contains("2 points from 2026-11-27 08:00:00 to 2026-11-27 09:00:00 UTC, one per 5 s", cut.Find("[data-testid=range-caption]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=chart-connections]"));
        // The live figures stay: they are now, whatever range the charts show.
        Assert.NotNull(cut.Find("[data-testid=connections]"));
    }

    [Fact]
    public void Overview_BackToLive_DropsTheHistory()
    {
        var cut = RenderPage<Overview>(Viewer);
        cut.Find("[data-testid=range-examday]").Click();

        cut.Find("[data-testid=range-live]").Click();

        Assert.Empty(cut.FindAll("[data-testid=range-history]"));
        Assert.NotNull(cut.Find("[data-testid=chart-connections]"));
    }

    [Fact]
    public void Overview_HistoryRefused_SaysWhy()
    {
        History.Refusal = "to must be at most History:MaxRange (31 days) after from.";
        var cut = RenderPage<Overview>(Viewer);

        cut.Find("[data-testid=range-lasthour]").Click();

        Assert.Contains("History:MaxRange", cut.Find("[data-testid=range-history-error]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=range-charts]"));
    }

    [Fact]
    public void Overview_ReadAgain_ReadsThePresetUpToTheNewNow()
    {
        var cut = RenderPage<Overview>(Viewer);
        cut.Find("[data-testid=range-lasthour]").Click();
        Time.Advance(TimeSpan.FromMinutes(5));
        // The clock's move fires the page's timers, whose renders replace the button's handler: click the current one.
        cut.Render();

        cut.Find("[data-testid=range-refresh]").Click();

        Assert.Equal((Samples.Start.AddMinutes(-55), Samples.Start.AddMinutes(5)), History.HistoryReads[^1]);
    }
}
