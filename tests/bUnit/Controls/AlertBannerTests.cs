using ExamConsole.Console.Components.Controls;
using ExamConsole.Console.Model;
using ExamConsole.Console.Tests.Fakes;

namespace ExamConsole.Console.Tests.Controls;

public sealed class AlertBannerTests : ConsoleTest
{
    [Fact]
    public void Banner_QuietNode_ShowsNothing()
    {
        Feed.Publish(Samples.Sample());

        var cut = RenderPage<AlertBanner>(Viewer);

        Assert.Empty(cut.FindAll("[role=alert]"));
    }

    [Fact]
    public void Banner_WhenTheCircuitOpensLive_ShowsItForAViewerToo_AndClearsWhenItCloses()
    {
        Feed.Publish(Samples.Sample());
        var cut = RenderPage<AlertBanner>(Viewer);

        PublishLive(Samples.Sample(circuit: "open", spoolDepth: 3, at: Samples.Start.AddSeconds(1)));
        cut.WaitForAssertion(() => Assert.Contains("Database circuit open", cut.Find($"[data-testid=alert-{ConsoleAlerts.CircuitOpen}]").TextContent));

        PublishLive(Samples.Sample(at: Samples.Start.AddSeconds(2)));
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[role=alert]")));
    }

    [Fact]
    public void Banner_PoolRedFor30Seconds_ShowsPoolRed()
    {
        // After the feed's first (green) sample at the start: red from one second on, for 30 s.
        for (var s = 1; s <= 31; s++)
        {
            Feed.Publish(Samples.Sample(busy: 80, at: Samples.Start.AddSeconds(s)));
        }

        var cut = RenderPage<AlertBanner>(Operator);

        Assert.Contains("red band for 30 s", cut.Find($"[data-testid=alert-{ConsoleAlerts.PoolRed}]").TextContent);
    }

    [Fact]
    public void Banner_ANodeSilentWithoutLeaving_IsNamed()
    {
        Feed.Publish(Samples.Sample());
        Fleet.Nodes.Add(FleetSamples.Node("node-3", alive: false, heartbeatAgeSeconds: 45) with { StoppedAt = null });

        var cut = RenderPage<AlertBanner>(Viewer);

        var alert = cut.Find($"[data-testid=alert-{ConsoleAlerts.NodeNotAlive}]").TextContent;
        Assert.Contains("Node node-3 not alive: no heartbeat for 45 s", alert);
    }

    [Fact]
    public void Banner_ANodeThatStoppedCleanly_IsNoAlert()
    {
        Feed.Publish(Samples.Sample());
        Fleet.Nodes.Add(FleetSamples.Node("node-3", alive: false, heartbeatAgeSeconds: 45));

        var cut = RenderPage<AlertBanner>(Viewer);

        Assert.Empty(cut.FindAll("[role=alert]"));
    }

    [Fact]
    public void Banner_ANodeGoingSilentWhileOpen_ShowsAtTheNextFleetRead()
    {
        Feed.Publish(Samples.Sample());
        var cut = RenderPage<AlertBanner>(Viewer);
        Assert.Empty(cut.FindAll("[role=alert]"));

        Fleet.Nodes[1] = Fleet.Nodes[1] with { Alive = false, StoppedAt = null, HeartbeatAgeSeconds = 12 };
        Time.Advance(Components.FleetReader.RefreshPeriod);

        cut.WaitForAssertion(() => Assert.Contains("Node node-2 not alive", cut.Find($"[data-testid=alert-{ConsoleAlerts.NodeNotAlive}]").TextContent));
    }
}
