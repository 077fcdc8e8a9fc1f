using ExamConsole.Console.Model;
using ExamConsole.Console.Tests.Fakes;

namespace ExamConsole.Console.Tests.Model;

public sealed class ConsoleAlertsTests
{
    private static IReadOnlyList<ConsoleAlert> Judge(params ConsoleSample[] samples) =>
        ConsoleAlerts.Evaluate(samples[^1], samples.Select(HistoryPoint.Of).ToList(), Samples.Bands, acquireTargetMs: 100);

    private static ConsoleSample[] Every(int seconds, Func<int, ConsoleSample> at) =>
        Enumerable.Range(0, seconds + 1).Select(at).ToArray();

    [Fact]
    public void Evaluate_QuietPool_RaisesNothing() =>
        Assert.Empty(Judge(Every(40, s => Samples.Sample(busy: 12, at: Samples.Start.AddSeconds(s)))));

    [Fact]
    public void Evaluate_RedFor30Seconds_RaisesPoolRed()
    {
        var alerts = Judge(Every(30, s => Samples.Sample(busy: 75, at: Samples.Start.AddSeconds(s))));

        var alert = Assert.Single(alerts);
        Assert.Equal(ConsoleAlerts.PoolRed, alert.Kind);
        Assert.Contains("75 % of 100 connections busy (red above 70 %)", alert.Message);
    }

    [Fact]
    public void Evaluate_RedFor29SecondsOrWithAYellowSampleInside_RaisesNothing()
    {
        Assert.Empty(Judge(Every(29, s => Samples.Sample(busy: 75, at: Samples.Start.AddSeconds(s)))));
        Assert.Empty(Judge(Every(40, s => Samples.Sample(busy: s == 25 ? 50 : 75, at: Samples.Start.AddSeconds(s)))));
    }

    [Fact]
    public void Evaluate_OpenOrIsolatedCircuit_RaisesCircuitOpen()
    {
        Assert.Equal(ConsoleAlerts.CircuitOpen, Assert.Single(Judge(Samples.Sample(circuit: "open"))).Kind);
        Assert.Equal(ConsoleAlerts.CircuitOpen, Assert.Single(Judge(Samples.Sample(circuit: "isolated"))).Kind);
        Assert.Empty(Judge(Samples.Sample(circuit: "half_open")));
    }

    [Fact]
    public void Evaluate_SpoolDeeperThan30SecondsAgo_RaisesSpoolGrowing_AndADrainingSpoolDoesNot()
    {
        var growing = Judge(Every(31, s => Samples.Sample(spoolDepth: 10 + s, at: Samples.Start.AddSeconds(s))));
        var alert = Assert.Single(growing);
        Assert.Equal(ConsoleAlerts.SpoolGrowing, alert.Kind);
        Assert.Contains("41 queued, 30 more than 30 s ago", alert.Message);

        Assert.Empty(Judge(Every(31, s => Samples.Sample(spoolDepth: 50 - s, at: Samples.Start.AddSeconds(s)))));
    }

    [Fact]
    public void Evaluate_AcquireP99OverTheTarget_RaisesAcquireSlow()
    {
        var slow = Samples.Sample() with { Pool = Samples.Pool(acquireP99: 180) };

        Assert.Equal(ConsoleAlerts.AcquireSlow, Assert.Single(Judge(slow)).Kind);
        Assert.Empty(Judge(Samples.Sample() with { Pool = Samples.Pool(acquireP99: 100) }));
    }
}
