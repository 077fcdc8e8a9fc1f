using ExamConsole.Console.Components.Controls;
using ExamConsole.Console.Tests.Fakes;

namespace ExamConsole.Console.Tests.Controls;

public sealed class ChangeAcknowledgementsTests : ConsoleTest
{
    private IRenderedComponent<ChangeAcknowledgements> Show(AppliedChange change) =>
        Render<ChangeAcknowledgements>(p => p.Add(c => c.Change, change).Add(c => c.WaitFor, TimeSpan.FromSeconds(3)));

    private static string[] Cells(IRenderedComponent<ChangeAcknowledgements> cut) =>
        cut.FindAll("[data-testid=ack-at]").Select(c => c.TextContent.Trim()).ToArray();

    [Fact]
    public void Acknowledgements_AllIn_AreShownAtOnce_WithoutWaiting()
    {
        Fleet.Acknowledge("node-2", 5);
        Fleet.Acknowledge(FakeFleetView.Self, 5);

        var cut = Show(new AppliedChange("Pool budget", 5));

        Assert.Contains("Pool budget", cut.Markup);
        Assert.Contains("settings v5", cut.Markup);
        Assert.Equal(["09:00:00.000", "09:00:00.000"], Cells(cut));
        var reads = Fleet.Reads;
        Time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(reads, Fleet.Reads);
    }

    [Fact]
    public void Acknowledgements_ANodeThatNeverAnswers_IsGivenUpOn_AfterTheWait()
    {
        Fleet.Acknowledge(FakeFleetView.Self, 7);
        var cut = Show(new AppliedChange("Circuit opened", 7));
        Assert.Equal(["09:00:00.000", "waiting…"], Cells(cut));

        for (var i = 0; i < 6; i++)
        {
            Time.Advance(ChangeAcknowledgements.PollPeriod);
        }

        cut.WaitForAssertion(() => Assert.Equal(["09:00:00.000", "not acknowledged"], Cells(cut)), TimeSpan.FromSeconds(5));
        Assert.Contains("Not acknowledged within 3 s", cut.Find("[data-testid=ack-gave-up]").TextContent);
        var reads = Fleet.Reads;
        Time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(reads, Fleet.Reads);
    }

    [Fact]
    public void Acknowledgements_ANodeThatAppliedAndDied_StaysListed()
    {
        Fleet.Nodes[1] = FleetSamples.Node("node-2", alive: false);
        Fleet.Acknowledge("node-2", 4);
        Fleet.Acknowledge(FakeFleetView.Self, 4);

        var cut = Show(new AppliedChange("Admission limits", 4));

        Assert.Equal(["node-1", "node-2"], cut.FindAll("[data-testid=ack-row]").Select(r => r.GetAttribute("data-node")).Order());
    }

    [Fact]
    public void Acknowledgements_OfAChangeTheDatabaseDidNotTake_SayThisNodeOnly()
    {
        var cut = Show(new AppliedChange("Forced fallback on", null));

        Assert.NotNull(cut.Find("[data-testid=ack-this-node-only]"));
        Assert.Empty(cut.FindAll("[data-testid=ack-row]"));
        Assert.Equal(0, Fleet.Reads);
    }
}
