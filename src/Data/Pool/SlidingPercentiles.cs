using ExamConsole.Data.Metrics;

namespace ExamConsole.Data.Pool;

/// <summary>
/// Percentiles, in milliseconds, of the samples of the last <c>window</c> (one-second slots), at any
/// rate: HdrHistogram's buckets per slot and a running sum of the window's slots (<see cref="WindowedHistogram"/>).
/// </summary>
public sealed class SlidingPercentiles(TimeSpan window, TimeProvider time)
{
    private readonly WindowedHistogram _histogram = new(window, time);

    public void Record(double value) => _histogram.RecordMilliseconds(value);

    public LatencyPercentiles Compute()
    {
        var read = _histogram.Read();
        return new LatencyPercentiles(read.P50Ms, read.P95Ms, read.P99Ms, (int)Math.Min(read.Count, int.MaxValue));
    }
}
