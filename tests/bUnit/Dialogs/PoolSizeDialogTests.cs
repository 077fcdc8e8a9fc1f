using AngleSharp.Dom;
using ExamConsole.Console.Components.Dialogs;
using ExamConsole.Console.Components.Layout;
using MudBlazor;

namespace ExamConsole.Console.Tests.Dialogs;

public sealed class PoolSizeDialogTests : ConsoleTest
{
    private Task<IRenderedComponent<MudDialogProvider>> OpenAsync(ConsoleUser user, int liveNodes = 1) =>
        ShowDialogAsync<PoolSizeDialog>(new DialogParameters<PoolSizeDialog>
        {
            { d => d.CurrentMax, 100 },
            { d => d.CurrentMin, 10 },
            { d => d.LiveNodes, liveNodes },
            { d => d.User, user },
        });

    private static IElement Input(IRenderedComponent<MudDialogProvider> dialog, string id) =>
        dialog.Find($"input#{id}, #{id} input");

    [Fact]
    public async Task Dialog_ShowsNowAndAfter_AsTheValuesChange()
    {
        var dialog = await OpenAsync(Operator);

        await dialog.InvokeAsync(() => Input(dialog, "pool-max").Change("200"));

        var after = dialog.FindAll("[data-cell=after]").Select(c => c.TextContent.Trim()).ToList();
        Assert.Equal(["100", "10", "100"], dialog.FindAll("[data-cell=now]").Select(c => c.TextContent.Trim()));
        Assert.Equal(["200", "10", "200"], after);
        Assert.Contains("at most 250 (max_connections 300 less the reserve 50)", dialog.Find("[data-testid=server-limit]").TextContent);
    }

    [Fact]
    public async Task Dialog_RefusesAMaxAboveTheServersLimit_WithTheNumbers()
    {
        var dialog = await OpenAsync(Operator);

        await dialog.InvokeAsync(() => Input(dialog, "pool-max").Change("300"));

        var error = dialog.Find("[data-testid=error-maxSize]").TextContent;
        Assert.Contains("A pool of 300 connections does not fit", error);
        Assert.Contains("max_connections is 300 and 50 are kept in reserve, so at most 250", error);
        Assert.True(dialog.Find("[data-testid=apply]").HasAttribute("disabled"));
        Assert.Empty(Operations.Calls);
    }

    [Fact]
    public async Task Dialog_RefusesAMinAboveTheMax()
    {
        var dialog = await OpenAsync(Operator);

        await dialog.InvokeAsync(() => Input(dialog, "pool-min").Change("150"));

        Assert.Contains("minSize must be between 0 and maxSize (100) (got 150)", dialog.Find("[data-testid=error-minSize]").TextContent);
        Assert.True(dialog.Find("[data-testid=apply]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task Dialog_AppliesAValidSize_ThroughTheOperatorControls()
    {
        var dialog = await OpenAsync(Operator);

        await dialog.InvokeAsync(() => Input(dialog, "pool-max").Change("240"));
        await dialog.InvokeAsync(() => dialog.Find("[data-testid=apply]").Click());

        Assert.Equal(["olga: resize 240/10"], Operations.Calls);
        dialog.WaitForAssertion(() => Assert.Empty(dialog.FindAll("[data-testid=apply]")), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Dialog_ShowsTheEnginesRefusal_WhenTheServerChangedMeanwhile()
    {
        // The dialog was told 280 fit (max_connections 330); the engine finds only 250.
        Operations.ReportedMaxConnections = 330;
        var dialog = await OpenAsync(Operator);

        await dialog.InvokeAsync(() => Input(dialog, "pool-max").Change("270"));
        await dialog.InvokeAsync(() => dialog.Find("[data-testid=apply]").Click());

        var error = dialog.Find("[data-testid=dialog-error]").TextContent;
        Assert.Contains("A pool of 270 connections does not fit", error);
        Assert.Contains("max_connections is 300 and 50 are kept in reserve, so at most 250", error);
        Assert.Empty(Operations.Calls);
    }

    [Fact]
    public async Task Dialog_SpeaksOfTheFleetBudget_AndEachLiveNodesShare()
    {
        var dialog = await OpenAsync(Operator, liveNodes: 3);

        await dialog.InvokeAsync(() => Input(dialog, "pool-max").Change("200"));

        Assert.Equal("Reaches 3 live nodes: each applies it within a second and acknowledges it.", dialog.Find("[data-testid=reach]").TextContent.Trim());
        Assert.Contains("Total for the fleet: 3 live node(s), each gets floor(total / 3) = 66", dialog.Find("[data-testid=fleet-share]").TextContent);
        Assert.Equal(["100", "10", "33"], dialog.FindAll("[data-cell=now]").Select(c => c.TextContent.Trim()));
        Assert.Equal(["200", "10", "66"], dialog.FindAll("[data-cell=after]").Select(c => c.TextContent.Trim()));
        Assert.False(dialog.Find("[data-testid=apply]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task Dialog_RefusesATotalTooSmallForTheLiveNodes_WithTheRulesWords()
    {
        var dialog = await OpenAsync(Operator, liveNodes: 4);

        await dialog.InvokeAsync(() => Input(dialog, "pool-max").Change("30"));

        var error = dialog.Find("[data-testid=error-maxSize]").TextContent;
        Assert.Contains("A budget of 30 connections over 4 live node(s) gives each 7, less than the minimum of 10", error);
        Assert.Contains("Ask for at least 40", error);
        Assert.True(dialog.Find("[data-testid=apply]").HasAttribute("disabled"));
        Assert.Empty(Operations.Calls);
    }

    [Fact]
    public async Task Dialog_ForAViewer_CannotApply()
    {
        var dialog = await OpenAsync(Viewer);

        await dialog.InvokeAsync(() => Input(dialog, "pool-max").Change("200"));

        Assert.True(dialog.Find("[data-testid=apply]").HasAttribute("disabled"));
        Assert.NotNull(dialog.Find("[data-testid=read-only]"));
    }
}
