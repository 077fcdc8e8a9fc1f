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
}
