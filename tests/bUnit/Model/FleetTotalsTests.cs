using ExamConsole.Api.Fleet;
using ExamConsole.Console.Model;
using ExamConsole.Console.Tests.Fakes;

namespace ExamConsole.Console.Tests.Model;

public sealed class FleetTotalsTests
{
    private static FleetResponse Fleet(params FleetNodeResponse[] nodes) =>
        new(nodes.Count(n => n.Alive), 300, nodes, FleetSamples.Settings(4, budget: 300));

    [Fact]
    public void Totals_AddUpTheLiveNodes_AndBandTheFleetsUtilization()
    {
        var totals = FleetTotals.Of(Fleet(
            FleetSamples.Node("a", maxSize: 100, busy: 80, settingsVersion: 4, requestsPerSecond: 10),
            FleetSamples.Node("b", maxSize: 100, busy: 70, settingsVersion: 3, requestsPerSecond: 5, spoolDepth: 4),
            FleetSamples.Node("c", alive: false, maxSize: 100, busy: 100, spoolDepth: 1000)), Samples.Bands);

        Assert.Equal((2, 3), (totals.LiveNodes, totals.Listed));
        Assert.Equal((150, 200), (totals.Busy, totals.MaxSize));
        Assert.Equal(75, totals.UtilizationPercent);
        Assert.Equal("red", totals.Band);
        Assert.Equal(15, totals.RequestsPerSecond);
        Assert.Equal(4, totals.SpoolDepth);
        Assert.Equal(1, totals.NodesBehind);
    }

    [Fact]
    public void Totals_TakeTheWorstCircuit()
    {
        Assert.Equal("isolated", FleetTotals.Of(Fleet(FleetSamples.Node("a"), FleetSamples.Node("b", circuit: "isolated"), FleetSamples.Node("c", circuit: "half_open")), Samples.Bands).WorstCircuit);
        Assert.Equal("open", FleetTotals.Of(Fleet(FleetSamples.Node("a", circuit: "open"), FleetSamples.Node("b", circuit: "half_open")), Samples.Bands).WorstCircuit);
        Assert.Equal("closed", FleetTotals.Of(Fleet(), Samples.Bands).WorstCircuit);
    }

    [Fact]
    public void Totals_OfNoLiveNode_AreZero_NotADivisionByZero()
    {
        var totals = FleetTotals.Of(Fleet(FleetSamples.Node("a", alive: false)), Samples.Bands);

        Assert.Equal((0, 0, 0.0), (totals.LiveNodes, totals.MaxSize, totals.UtilizationPercent));
        Assert.Equal("green", totals.Band);
    }
}
