using ExamConsole.Console.Model;

namespace ExamConsole.Console.Tests.Model;

public sealed class SloGradeTests
{
    private static RouteLatency Route(double p50, double p95) => new("POST /api/auth/login", 10, 0, p50, p95, p95 * 2, 100);

    [Theory]
    [InlineData(1, 3, SloStatus.Met)]
    [InlineData(1, 3.01, SloStatus.AtRisk)]
    [InlineData(3, 6, SloStatus.AtRisk)]
    [InlineData(3.01, 6, SloStatus.Missed)]
    public void Grade_JudgesP95ThenTheMedian_AgainstTheTarget(double p50, double p95, SloStatus expected) =>
        Assert.Equal(expected, SloGrade.Of(Route(p50, p95), targetMs: 3));

    [Fact]
    public void Grade_WithoutTrafficOrTarget_JudgesNothing()
    {
        Assert.Equal(SloStatus.NoTraffic, SloGrade.Of(null, 3));
        Assert.Equal(SloStatus.NoTarget, SloGrade.Of(Route(100, 100), null));
    }

    [Fact]
    public void Options_HoldTheSeedsTargets()
    {
        var targets = new ConsoleOptions().Targets;

        Assert.Equal(3, targets["login"].TargetMs);
        Assert.Equal(5, targets["paper"].TargetMs);
        Assert.Equal(10, targets["submit"].TargetMs);
        Assert.Equal(100, new ConsoleOptions().AcquireTargetMs);
    }
}
