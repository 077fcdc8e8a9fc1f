using HdrHistogram;

namespace ExamConsole.Data.Metrics;

/// <summary>
/// Latencies of the last <see cref="Window"/>, whatever the rate, in HdrHistogram's buckets: a ring
/// of slots of counts, one per time slot (one second for windows up to <see cref="MaxSlots"/> s),
/// that spans the window, and their sum. Writers record into an HdrHistogram <see cref="Recorder"/>
/// without taking a lock (but the first record of a new slot, which moves what came before into the
/// slot it ends); its interval histogram is moved into its slot, and into the sum, when the slot
/// changes and at each read. A slot's counts leave the sum by the first read after the slot left the
/// window (or when the ring comes round to it), so a read walks the sum once, not the whole ring
/// (nothing is sorted). Memory depends on the slot count, never on the rate: about 94 KB per slot
/// that has held a value (32-bit counts over 23,552 buckets), plus the recorder's two histograms, the
/// 188 KB sum and as much again to read an interval into, so a 30 s window that is busy every second
/// holds about 3.4 MB.
/// </summary>
/// <remarks>
/// The window is the current slot and the <c>slots - 1</c> before it, as the route table's request
/// counts are. A value recorded while another thread moves to the next slot can land in that next
/// slot: one slot late at most, only at a slot's edge. Percentiles are HdrHistogram's (a bucket's
/// highest value); the tests hold every read to an HdrHistogram of the window's values. Adding up
/// the whole ring with HdrHistogram at every read cost 0.8 to 6 ms for a 30 s window; the console,
/// the history, the fleet's heartbeat and /metrics read the routes' and the pool's windows every
/// second, which took about 6 % of the 2-core node's host core in an overload (BENCHMARKS.md,
/// "Percentile windows").
/// </remarks>
public sealed class WindowedHistogram
{
    /// <summary>One hour in microseconds: a slower value is counted as one hour.</summary>
    public const long HighestMicroseconds = 3_600_000_000;

    /// <summary>Values are kept to 3 significant digits (0.1 %); a percentile is its bucket's highest value.</summary>
    public const int SignificantDigits = 3;

    /// <summary>Longer windows get longer slots, so that a window has at most this many.</summary>
    public const int MaxSlots = 60;

    private readonly TimeProvider _time;
    private readonly Recorder _recorder = new(1, HighestMicroseconds, SignificantDigits,
        static (id, lowest, highest, digits) => new Interval(id, lowest, highest, digits));

    private readonly long _slotTimestamps;
    private readonly int[]?[] _slots;
    private readonly long[] _slotKeys;
    private readonly long[] _slotCounts;
    private readonly Lock _gate = new();
    private readonly long[] _sum = new long[Buckets.Count];
    private readonly long[] _interval = new long[Buckets.Count];
    private long _sumCount;
    private HistogramBase? _recycle;
    private long _openKey;

    public WindowedHistogram(TimeSpan window, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        _time = time;
        Window = window;
        var slots = (int)Math.Clamp(Math.Round(window.TotalSeconds), 1, MaxSlots);
        SlotLength = window / slots;
        _slots = new int[]?[slots];
        _slotKeys = new long[slots];
        _slotCounts = new long[slots];
        _slotTimestamps = Math.Max(1, (long)(SlotLength.TotalSeconds * time.TimestampFrequency));
        _openKey = KeyNow();
    }

    public TimeSpan Window { get; }

    public TimeSpan SlotLength { get; }

    public void RecordMilliseconds(double milliseconds) =>
        Record(double.IsFinite(milliseconds) && milliseconds > 0 ? (long)Math.Min(Math.Round(milliseconds * 1000), HighestMicroseconds) : 0);

    public void RecordMicroseconds(long microseconds) => Record(Math.Clamp(microseconds, 0, HighestMicroseconds));

    /// <summary>Records a value already within 0 .. <see cref="HighestMicroseconds"/>.</summary>
    private void Record(long microseconds)
    {
        var key = KeyNow();
        if (key != Volatile.Read(ref _openKey))
        {
            MoveTo(key);
        }
        _recorder.RecordValue(microseconds);
    }

    /// <summary>Count and percentiles, in milliseconds, of the values recorded in the window.</summary>
    public WindowLatency Read()
    {
        lock (_gate)
        {
            var key = KeyNow();
            MoveIntervalToOpenSlot();
            if (key > _openKey)
            {
                Volatile.Write(ref _openKey, key);
            }
            for (var i = 0; i < _slots.Length; i++)
            {
                if (_slotCounts[i] > 0 && _slotKeys[i] <= key - _slots.Length)
                {
                    TakeOut(i);
                }
            }
            return Latency();
        }
    }

    private long KeyNow() => _time.GetTimestamp() / _slotTimestamps;

    private void MoveTo(long key)
    {
        lock (_gate)
        {
            if (key > _openKey)
            {
                MoveIntervalToOpenSlot();
                Volatile.Write(ref _openKey, key);
            }
        }
    }

    // Under _gate: what was recorded since the last move belongs to the open slot, and to the sum.
    private void MoveIntervalToOpenSlot()
    {
        var interval = (Interval)_recorder.GetIntervalHistogram(_recycle);
        _recycle = interval;
        if (interval.TotalCount == 0)
        {
            return;
        }
        var i = (int)(_openKey % _slots.Length);
        if (_slotCounts[i] > 0 && _slotKeys[i] != _openKey)
        {
            // The ring came round before a read took the slot out: its values are a window old.
            TakeOut(i);
        }
        var slot = _slots[i] ??= new int[Buckets.Count];
        _slotKeys[i] = _openKey;
        interval.CopyCountsTo(_interval);
        for (var b = 0; b < _interval.Length; b++)
        {
            if (_interval[b] != 0)
            {
                slot[b] += (int)_interval[b];
                _sum[b] += _interval[b];
            }
        }
        _slotCounts[i] += interval.TotalCount;
        _sumCount += interval.TotalCount;
    }

    // Under _gate: a slot that left the window leaves the sum, and is emptied for its next turn.
    private void TakeOut(int i)
    {
        var slot = _slots[i]!;
        for (var b = 0; b < slot.Length; b++)
        {
            _sum[b] -= slot[b];
        }
        Array.Clear(slot);
        _sumCount -= _slotCounts[i];
        _slotCounts[i] = 0;
    }

    // HdrHistogram's GetValueAtPercentile and GetMaxValue each walk the counts: here one walk reads
    // all four. A percentile is reached by its count rounded to nearest (at least one), as there.
    private WindowLatency Latency()
    {
        var total = _sumCount;
        if (total == 0)
        {
            return default;
        }
        Span<long> targets = [Target(50, total), Target(95, total), Target(99, total)];
        Span<long> values = stackalloc long[3];
        var next = 0;
        long seen = 0;
        var max = 0L;
        for (var b = 0; b < _sum.Length && seen < total; b++)
        {
            if (_sum[b] == 0)
            {
                continue;
            }
            seen += _sum[b];
            max = Buckets.HighestValues[b];
            while (next < targets.Length && seen >= targets[next])
            {
                values[next++] = max;
            }
        }
        return new WindowLatency(total, WindowLatency.Ms(values[0]), WindowLatency.Ms(values[1]), WindowLatency.Ms(values[2]), WindowLatency.Ms(max));
    }

    private static long Target(double percentile, long total) => Math.Max(1, (long)(percentile / 100.0 * total + 0.5));

    /// <summary>The recorder's histogram, whose counts HdrHistogram keeps for its subclasses.</summary>
    private sealed class Interval(long instanceId, long lowest, long highest, int digits)
        : IntConcurrentHistogram(instanceId, lowest, highest, digits)
    {
        /// <summary>Read only once the recorder handed it over (no writer holds it then).</summary>
        public void CopyCountsTo(long[] counts) => CopyCountsInto(counts);
    }

    /// <summary>HdrHistogram's buckets for this range and precision: how many, and each one's highest value.</summary>
    private static class Buckets
    {
        /// <summary>HdrHistogram's counts array: a first bucket of all its sub-buckets, then half of them in each.</summary>
        public static readonly int Count;

        public static readonly long[] HighestValues;

        static Buckets()
        {
            var shape = new LongHistogram(1, HighestMicroseconds, SignificantDigits);
            Count = (shape.BucketCount + 1) * (shape.SubBucketCount / 2);
            HighestValues = new long[Count];
            long value = 0;
            for (var b = 0; b < Count; b++)
            {
                // Past the highest trackable value the buckets are never recorded into.
                var next = value <= shape.HighestTrackableValue ? shape.NextNonEquivalentValue(value) : value + 1;
                HighestValues[b] = next - 1;
                value = next;
            }
        }
    }
}

/// <summary>The values of one window: how many, and their percentiles in milliseconds (0 when none).</summary>
public readonly record struct WindowLatency(long Count, double P50Ms, double P95Ms, double P99Ms, double MaxMs)
{
    public static WindowLatency Of(HistogramBase histogram) =>
        histogram.TotalCount == 0
            ? default
            : new WindowLatency(
                histogram.TotalCount,
                Ms(histogram.GetValueAtPercentile(50)),
                Ms(histogram.GetValueAtPercentile(95)),
                Ms(histogram.GetValueAtPercentile(99)),
                Ms(histogram.GetMaxValue()));

    internal static double Ms(long microseconds) => Math.Round(microseconds / 1000.0, 3);
}
