using ExamConsole.Console.Components.Pages;
using ExamConsole.Data.Telemetry;

namespace ExamConsole.Console.Tests.Pages;

public sealed class SlowQueriesTests : ConsoleTest
{
    [Fact]
    public async Task SlowQueries_SortStatements_ByTotalMeanOrCalls()
    {
        var cut = RenderPage<SlowQueries>(Viewer);
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=statement]").Count), TimeSpan.FromSeconds(5));
        Assert.Contains("INSERT", cut.FindAll("[data-testid=statement]")[0].TextContent);

        await cut.InvokeAsync(() => cut.Find("[data-testid=sort-mean]").Click());

        cut.WaitForAssertion(() => Assert.Contains("SELECT", cut.FindAll("[data-testid=statement]")[0].TextContent), TimeSpan.FromSeconds(5));
        Assert.Equal(StatementSort.Mean, Insight.Sorts[^1]);
        Assert.Equal("true", cut.Find("[data-testid=sort-mean]").GetAttribute("aria-pressed"));
    }

    [Fact]
    public void SlowQueries_ShowTheSlowCommandLog_Live()
    {
        var cut = RenderPage<SlowQueries>(Viewer);
        Assert.Empty(cut.FindAll("[data-testid=slow-command]"));

        Insight.Slow.Add(new SlowCommand(Fakes.Samples.Start, 250, "UPDATE attempts SET ...", "POST /api/attempts/{attemptId}/submit"));
        PublishLive(Fakes.Samples.Sample(at: Fakes.Samples.Start.AddSeconds(1)));

        cut.WaitForAssertion(() => Assert.Contains("UPDATE attempts", cut.Find("[data-testid=slow-command]").TextContent), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void SlowQueries_ForAViewer_CannotCancelOrTerminate()
    {
        var cut = RenderPage<SlowQueries>(Viewer);

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=cancel-4242]")), TimeSpan.FromSeconds(5));
        Assert.True(cut.Find("[data-testid=cancel-4242]").HasAttribute("disabled"));
        Assert.True(cut.Find("[data-testid=terminate-4242]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task SlowQueries_TerminateALongQuery_OnlyAfterConfirmation()
    {
        var cut = RenderPage<SlowQueries>(Operator);
        cut.WaitForAssertion(() => Assert.False(cut.Find("[data-testid=terminate-4242]").HasAttribute("disabled")), TimeSpan.FromSeconds(5));

        await cut.InvokeAsync(() => cut.Find("[data-testid=terminate-4242]").Click());
        Assert.Empty(Insight.Calls);
        var dialog = DialogHost();
        Assert.Contains("pg_terminate_backend", dialog.Markup);
        await dialog.InvokeAsync(() => dialog.Find("[data-testid=apply]").Click());

        Assert.Equal(["olga: terminate 4242"], Insight.Calls);
    }
}
