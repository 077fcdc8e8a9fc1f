namespace ExamConsole.Data.History;

/// <summary>
/// The fixed latency buckets every node counts its requests in: 20 a decade (each bound 12.2 % above
/// the one before), from 0.01 ms to 100 s, the last one also taking anything slower. Fixed bounds are
/// what lets the counts of any seconds and any nodes be added up, so that a percentile over a range
/// is read from the merged counts rather than averaged from percentiles.
/// </summary>
public static class LatencyBuckets
{
    public const int PerDecade = 20;
    public const double FirstUpperMs = 0.01;
    public const int Count = (7 * PerDecade) + 1;

    /// <summary>How far a reported percentile may be above the true one: one bucket's width.</summary>
    public static readonly double RelativeError = Math.Pow(10, 1.0 / PerDecade) - 1;

    /// <summary>The bucket of a latency: the first whose upper bound is at least <paramref name="milliseconds"/>.</summary>
    public static int IndexOf(double milliseconds)
    {
        if (!(milliseconds > FirstUpperMs))
        {
            return 0;
        }
        // The small tolerance keeps a value on a bound (1 ms, 10 ms) in the bucket it bounds.
        var index = (int)Math.Ceiling((Math.Log10(milliseconds / FirstUpperMs) * PerDecade) - 1e-9);
        return Math.Min(index, Count - 1);
    }

    public static double UpperBoundMs(int index) => FirstUpperMs * Math.Pow(10, (double)index / PerDecade);

    /// <summary>
    /// The nearest-rank percentile of merged counts, as the upper bound of its bucket (never below the
    /// true value, at most <see cref="RelativeError"/> above it); 0 with no request.
    /// </summary>
    public static double Percentile(IReadOnlyList<long> counts, double percent)
    {
        long total = 0;
        foreach (var c in counts)
        {
            total += c;
        }
        if (total == 0)
        {
            return 0;
        }
        var rank = Math.Max(1, (long)Math.Ceiling(percent / 100 * total));
        long seen = 0;
        for (var i = 0; i < counts.Count; i++)
        {
            seen += counts[i];
            if (seen >= rank)
            {
                return Math.Round(UpperBoundMs(i), 3);
            }
        }
        return Math.Round(UpperBoundMs(counts.Count - 1), 3);
    }

    /// <summary>The counts from the first to the last bucket that holds a request, and the first one's index (for storage).</summary>
    public static (int First, long[] Counts) Trim(ReadOnlySpan<long> counts)
    {
        var first = 0;
        while (first < counts.Length && counts[first] == 0)
        {
            first++;
        }
        var last = counts.Length - 1;
        while (last >= first && counts[last] == 0)
        {
            last--;
        }
        return last < first ? (0, []) : (first, counts[first..(last + 1)].ToArray());
    }
}
