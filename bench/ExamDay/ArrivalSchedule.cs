namespace ExamConsole.ExamDay;

/// <summary>
/// When each teacher arrives, in an open model: the schedule is fixed in advance and does not wait
/// for the server. The rate rises linearly from 0 to <c>rate</c> over <c>ramp</c>, then stays.
/// Arrivals A(t) = rate t² / 2 ramp during the ramp, then rate ramp / 2 + rate (t - ramp);
/// teacher i arrives at A⁻¹(i).
/// </summary>
public sealed class ArrivalSchedule(double rate, TimeSpan ramp)
{
    private readonly double _rampSeconds = ramp.TotalSeconds;

    /// <summary>Arrivals during the ramp.</summary>
    private double RampArrivals => rate * _rampSeconds / 2;

    /// <summary>The offset from the start of the run at which teacher <paramref name="index"/> (0-based) arrives.</summary>
    public TimeSpan ArrivalOf(int index)
    {
        if (index < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(index));
        }
        var seconds = _rampSeconds > 0 && index < RampArrivals
            ? Math.Sqrt(2 * _rampSeconds * index / rate)
            : _rampSeconds + ((index - RampArrivals) / rate);
        return TimeSpan.FromSeconds(seconds);
    }

    /// <summary>How long the arrivals of <paramref name="teachers"/> teachers take.</summary>
    public TimeSpan Span(int teachers) => teachers <= 0 ? TimeSpan.Zero : ArrivalOf(teachers - 1);
}
