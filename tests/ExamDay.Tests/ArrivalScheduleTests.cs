namespace ExamConsole.ExamDay.Tests;

public sealed class ArrivalScheduleTests
{
    [Fact]
    public void ArrivalOf_WithoutRamp_SpacesTeachersByTheRate()
    {
        var schedule = new ArrivalSchedule(rate: 100, TimeSpan.Zero);

        Assert.Equal(TimeSpan.Zero, schedule.ArrivalOf(0));
        Assert.Equal(TimeSpan.FromSeconds(1), schedule.ArrivalOf(100));
        Assert.Equal(TimeSpan.FromSeconds(4.99), schedule.Span(500));
    }

    [Fact]
    public void ArrivalOf_WithRamp_StartsSlowlyThenHoldsTheRate()
    {
        // 10 s ramp to 100/s: 500 arrivals during the ramp, then 100 each second.
        var schedule = new ArrivalSchedule(rate: 100, TimeSpan.FromSeconds(10));

        Assert.Equal(10, schedule.ArrivalOf(500).TotalSeconds, precision: 9);
        Assert.Equal(11, schedule.ArrivalOf(600).TotalSeconds, precision: 9);
        // A quarter of the ramp's arrivals come in its first half.
        Assert.Equal(5, schedule.ArrivalOf(125).TotalSeconds, precision: 9);
        var gaps = Enumerable.Range(1, 700).Select(i => schedule.ArrivalOf(i) - schedule.ArrivalOf(i - 1)).ToList();
        Assert.All(gaps, gap => Assert.True(gap >= TimeSpan.Zero));
        Assert.True(gaps[10] > gaps[400], "arrivals come closer together as the ramp rises");
    }
}
