using ExamConsole.Console.Components.Controls;
using ExamConsole.Console.Model;

namespace ExamConsole.Console.Tests.Controls;

public sealed class SloTableTests : ConsoleTest
{
    private const string Login = "POST /api/auth/login";
    private const string Paper = "GET /api/exams/{examId}/paper";
    private const string Submit = "POST /api/attempts/{attemptId}/submit";

    private IRenderedComponent<SloTable> RenderTable(params RouteLatency[] routes) =>
        Render<SloTable>(p => p
            .Add(t => t.Routes, routes)
            .Add(t => t.Targets, Options.Value.Targets)
            .Add(t => t.ErrorBudgetPercent, Options.Value.ErrorBudgetPercent));

    [Fact]
    public void Table_ListsTheSeedsTargets_EvenWithoutTraffic()
    {
        var cut = RenderTable();

        var rows = cut.FindAll("tbody tr");
        Assert.Equal([Login, Paper, Submit], rows.Select(r => r.GetAttribute("data-route")));
        Assert.All(rows, r => Assert.Equal(nameof(SloStatus.NoTraffic), r.GetAttribute("data-status")));
        Assert.Contains("< 3 ms", rows[0].TextContent);
        Assert.Contains("< 5 ms", rows[1].TextContent);
        Assert.Contains("< 10 ms", rows[2].TextContent);
    }

    [Fact]
    public void Table_ColoursEachRoute_ByItsPercentilesAgainstItsTarget()
    {
        var cut = RenderTable(
            new RouteLatency(Login, 100, 0, 1.0, 2.9, 6.0, 3000),
            new RouteLatency(Paper, 50, 0, 4.0, 7.0, 9.0, 1500),
            new RouteLatency(Submit, 20, 0, 12.0, 20.0, 30.0, 600));

        var login = cut.Find($"tr[data-route='{Login}']");
        Assert.Equal(nameof(SloStatus.Met), login.GetAttribute("data-status"));
        Assert.Contains("slo-met", login.QuerySelector("[data-cell=p95]")!.ClassName);
        Assert.Contains("slo-missed", login.QuerySelector("[data-cell=p99]")!.ClassName);
        Assert.Equal("met", login.QuerySelector("[data-testid=slo-status]")!.TextContent.Trim());

        var paper = cut.Find($"tr[data-route='{Paper}']");
        Assert.Equal(nameof(SloStatus.AtRisk), paper.GetAttribute("data-status"));
        Assert.Contains("mud-chip-color-warning", paper.QuerySelector("[data-testid=slo-status]")!.ClassName);

        var submit = cut.Find($"tr[data-route='{Submit}']");
        Assert.Equal(nameof(SloStatus.Missed), submit.GetAttribute("data-status"));
        Assert.Contains("slo-missed", submit.QuerySelector("[data-cell=p50]")!.ClassName);
        Assert.Contains("mud-chip-color-error", submit.QuerySelector("[data-testid=slo-status]")!.ClassName);
    }

    [Fact]
    public void Table_ShowsAnErrorRateOverBudgetInRed()
    {
        var cut = RenderTable(new RouteLatency(Login, 100, 2.5, 1, 2, 2.5, 3000), new RouteLatency(Paper, 100, 0.5, 1, 2, 2.5, 3000));

        Assert.Contains("slo-missed", cut.Find($"tr[data-route='{Login}'] [data-cell=errors]").ClassName);
        Assert.DoesNotContain("slo-missed", cut.Find($"tr[data-route='{Paper}'] [data-cell=errors]").ClassName);
    }

    [Fact]
    public void Table_ShowsOtherRoutes_UnjudgedAfterTheTargetedOnes()
    {
        var cut = RenderTable(new RouteLatency("GET /api/exams", 30, 0, 50, 80, 90, 900));

        var other = cut.FindAll("tbody tr")[3];
        Assert.Equal("GET /api/exams", other.GetAttribute("data-route"));
        Assert.Equal(nameof(SloStatus.NoTarget), other.GetAttribute("data-status"));
        Assert.DoesNotContain("slo-", other.QuerySelector("[data-cell=p95]")!.ClassName ?? "");
    }
}
