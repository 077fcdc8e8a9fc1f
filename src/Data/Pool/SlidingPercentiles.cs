namespace ExamConsole.Data.Pool;

/// <summary>
/// Percentiles of the samples of the last <c>window</c>, from a fixed ring of the most recent
/// samples (bounded memory whatever the rate; at very high rates the window is the ring's length).
/// </summary>
public sealed class SlidingPercentiles(TimeSpan window, TimeProvider time, int capacity = 8192)
{
    private readonly (long Ticks, double Value)[] _ring = new (long, double)[capacity];
    private readonly Lock _gate = new();
    private long _written;

    public void Record(double value)
    {
        var now = time.GetTimestamp();
        lock (_gate)
        {
            _ring[_written % _ring.Length] = (now, value);
            _written++;
        }
    }

    public LatencyPercentiles Compute()
    {
        double[] values;
        var oldest = time.GetTimestamp() - (long)(window.TotalSeconds * time.TimestampFrequency);
        lock (_gate)
        {
            var count = (int)Math.Min(_written, _ring.Length);
            values = new double[count];
            var n = 0;
            for (var i = 0; i < count; i++)
            {
                var (ticks, value) = _ring[i];
                if (ticks >= oldest)
                {
                    values[n++] = value;
                }
            }
            Array.Resize(ref values, n);
        }
        if (values.Length == 0)
        {
            return new LatencyPercentiles(0, 0, 0, 0);
        }
        Array.Sort(values);
        return new LatencyPercentiles(At(values, 0.50), At(values, 0.95), At(values, 0.99), values.Length);
    }

    // Nearest-rank percentile.
    private static double At(double[] sorted, double q) =>
        Math.Round(sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)], 3);
}
