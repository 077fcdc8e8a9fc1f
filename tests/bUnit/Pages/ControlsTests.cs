using ExamConsole.Api.Admission;
using ExamConsole.Console.Model;
using ExamConsole.Console.Tests.Fakes;
using ControlsPage = ExamConsole.Console.Components.Pages.Controls;

namespace ExamConsole.Console.Tests.Pages;

public sealed class ControlsTests : ConsoleTest
{
    private static readonly string[] Buttons = ["open-resize", "open-throttle", "open-circuit", "toggle-fallback"];

    [Fact]
    public void Controls_ForAViewer_ShowEveryControl_NoneEnabled()
    {
        Feed.Publish(Fakes.Samples.Sample(spoolDepth: 3));

        var cut = RenderPage<ControlsPage>(Viewer);

        Assert.NotNull(cut.Find("[data-testid=viewer-notice]"));
        foreach (var id in Buttons.Append("drain").Append("close-circuit"))
        {
            Assert.True(cut.Find($"[data-testid={id}]").HasAttribute("disabled"), id);
        }
    }

    [Fact]
    public void Controls_ForAnOperator_AreEnabled()
    {
        Feed.Publish(Fakes.Samples.Sample(spoolDepth: 3));

        var cut = RenderPage<ControlsPage>(Operator);

        Assert.Empty(cut.FindAll("[data-testid=viewer-notice]"));
        foreach (var id in Buttons.Append("drain"))
        {
            Assert.False(cut.Find($"[data-testid={id}]").HasAttribute("disabled"), id);
        }
        // Closing a closed circuit means nothing.
        Assert.True(cut.Find("[data-testid=close-circuit]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task Controls_AdaptiveGate_ShowsTheModeAndOpensTheThrottleDialogInIt()
    {
        Feed.Publish(Samples.Sample() with { Admission = new AdmissionSample(71, 4096, 60, 0, 0, 0, AdmissionMode.Adaptive, 1) });
        await Operations.SetThrottleAsync("olga", AdmissionMode.Adaptive, 71, 4096);
        Operations.Calls.Clear();
        var cut = RenderPage<ControlsPage>(Operator);

        Assert.Equal("adaptive", cut.Find("[data-testid=throttle-mode] .figure-value").TextContent.Trim());
        Assert.Equal("71", cut.Find("[data-testid=throttle-limit] .figure-value").TextContent.Trim());
        await cut.InvokeAsync(() => cut.Find("[data-testid=open-throttle]").Click());

        var dialog = DialogHost();
        dialog.WaitForAssertion(() => Assert.Equal(["adaptive", "71", "4,096"], dialog.FindAll("[data-cell=now]").Select(c => c.TextContent.Trim())), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Controls_OpenTheResizeDialog_WithTheValuesNow()
    {
        var cut = RenderPage<ControlsPage>(Operator);

        await cut.InvokeAsync(() => cut.Find("[data-testid=open-resize]").Click());

        var dialog = DialogHost();
        dialog.WaitForAssertion(() => Assert.Equal(["100", "10", "50"], dialog.FindAll("[data-cell=now]").Select(c => c.TextContent.Trim())), TimeSpan.FromSeconds(5));
        Assert.Contains("Reaches 2 live nodes", dialog.Find("[data-testid=reach]").TextContent);
    }

    [Fact]
    public async Task Controls_OpenTheCircuit_AfterConfirmation_AsTheSignedInOperator()
    {
        var cut = RenderPage<ControlsPage>(Operator);

        await cut.InvokeAsync(() => cut.Find("[data-testid=open-circuit]").Click());
        var dialog = DialogHost();
        Assert.Equal("isolated (open until closed)", dialog.Find("[data-cell=after]").TextContent.Trim());
        Assert.Empty(Operations.Calls);
        await dialog.InvokeAsync(() => dialog.Find("[data-testid=apply]").Click());

        Assert.Equal(["olga: open"], Operations.Calls);
    }

    [Fact]
    public async Task Controls_DrainTheSpool_AfterConfirmation()
    {
        Feed.Publish(Fakes.Samples.Sample(spoolDepth: 3));
        var cut = RenderPage<ControlsPage>(Operator);

        await cut.InvokeAsync(() => cut.Find("[data-testid=drain]").Click());
        var dialog = DialogHost();
        await dialog.InvokeAsync(() => dialog.Find("[data-testid=apply]").Click());

        Assert.Equal(["olga: drain"], Operations.Calls);
    }

    [Fact]
    public async Task Controls_DrainTheSpool_SaysItActsOnThisNodeOnly()
    {
        Feed.Publish(Fakes.Samples.Sample(spoolDepth: 3));
        var cut = RenderPage<ControlsPage>(Operator);

        await cut.InvokeAsync(() => cut.Find("[data-testid=drain]").Click());

        Assert.Equal(Components.Dialogs.ChangeReach.ThisNodeOnly, DialogHost().Find("[data-testid=reach]").TextContent.Trim());
    }

    [Fact]
    public async Task Controls_AfterAFleetChange_ShowEachNodesAcknowledgement_WaitingUntilItComes()
    {
        var cut = RenderPage<ControlsPage>(Operator);

        await cut.InvokeAsync(() => cut.Find("[data-testid=toggle-fallback]").Click());
        var dialog = DialogHost();
        Assert.Contains("Reaches 2 live nodes", dialog.Find("[data-testid=reach]").TextContent);
        await dialog.InvokeAsync(() => dialog.Find("[data-testid=apply]").Click());

        // The change became version 2, applied here at once; node-2 has not said so yet.
        cut.WaitForAssertion(() => Assert.Equal("2", cut.Find("[data-testid=acknowledgements]").GetAttribute("data-version")), TimeSpan.FromSeconds(5));
        Assert.Equal(["node-1", "node-2"], cut.FindAll("[data-testid=ack-row]").Select(r => r.GetAttribute("data-node")));
        Assert.Equal("09:00:00.000", cut.FindAll("[data-testid=ack-at]")[0].TextContent.Trim());
        Assert.Equal("waiting…", cut.FindAll("[data-testid=ack-at]")[1].TextContent.Trim());

        Time.Advance(TimeSpan.FromMilliseconds(250));
        Fleet.Acknowledge("node-2", 2);
        Time.Advance(TimeSpan.FromMilliseconds(250));

        cut.WaitForAssertion(() => Assert.Equal("09:00:00.250", cut.FindAll("[data-testid=ack-at]")[1].TextContent.Trim()), TimeSpan.FromSeconds(5));
        Assert.Empty(cut.FindAll("[data-testid=ack-gave-up]"));
    }
}
