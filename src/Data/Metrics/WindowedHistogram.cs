using HdrHistogram;

namespace ExamConsole.Data.Metrics;

/// <summary>
/// Latencies of the last <see cref="Window"/>, whatever the rate: a ring of HdrHistograms, one per
/// time slot (one second for windows up to <see cref="MaxSlots"/> s), that spans the window. Writers
/// record into an HdrHistogram <see cref="Recorder"/> without taking a lock; its interval histogram is
/// moved into its slot when the slot changes and at each read, and a read adds up the slots of the
/// window (nothing is sorted). Memory depends on the slot count, never on the rate: about 94 KB
/// per slot that has held a value (32-bit counts over 23,552 buckets), plus the recorder's two and
/// one 188 KB sum, so a 30 s window that is busy every second holds about 3 MB.
/// </summary>
/// <remarks>
/// The window is the current slot and the <c>slots - 1</c> before it, as the route table's request
/// counts are. A value recorded while another thread moves to the next slot can land in that next
/// slot: one slot late at most, only at a slot's edge.
/// </remarks>
public sealed class WindowedHistogram
{
    /// <summary>One hour in microseconds: a slower value is counted as one hour.</summary>
    public const long HighestMicroseconds = 3_600_000_000;

    /// <summary>Values are kept to 3 significant digits (0.1 %); a percentile is its bucket's highest value.</summary>
    public const int SignificantDigits = 3;

    /// <summary>Longer windows get longer slots, so that a read adds up at most this many histograms.</summary>
    public const int MaxSlots = 60;

    private readonly TimeProvider _time;
    private readonly Recorder _recorder = HistogramFactory.With32BitBucketSize()
        .WithValuesFrom(1).WithValuesUpTo(HighestMicroseconds).WithPrecisionOf(SignificantDigits)
        .WithThreadSafeWrites().WithThreadSafeReads().Create();

    private readonly long _slotTimestamps;
    private readonly IntHistogram?[] _slots;
    private readonly long[] _slotKeys;
    private readonly Lock _gate = new();
    private LongHistogram? _sum;
    private HistogramBase? _recycle;
    private long _openKey;

    public WindowedHistogram(TimeSpan window, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        _time = time;
        Window = window;
        var slots = (int)Math.Clamp(Math.Round(window.TotalSeconds), 1, MaxSlots);
        SlotLength = window / slots;
        _slots = new IntHistogram?[slots];
        _slotKeys = new long[slots];
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
            var sum = _sum ??= new LongHistogram(1, HighestMicroseconds, SignificantDigits);
            sum.Reset();
            for (var i = 0; i < _slots.Length; i++)
            {
                if (_slots[i] is { } slot && _slotKeys[i] > key - _slots.Length && _slotKeys[i] <= key)
                {
                    sum.Add(slot);
                }
            }
            return WindowLatency.Of(sum);
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

    // Under _gate: what was recorded since the last move belongs to the open slot.
    private void MoveIntervalToOpenSlot()
    {
        var interval = _recorder.GetIntervalHistogram(_recycle);
        _recycle = interval;
        if (interval.TotalCount == 0)
        {
            return;
        }
        var i = (int)(_openKey % _slots.Length);
        var slot = _slots[i] ??= new IntHistogram(1, HighestMicroseconds, SignificantDigits);
        if (_slotKeys[i] != _openKey)
        {
            slot.Reset();
            _slotKeys[i] = _openKey;
        }
        slot.Add(interval);
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

    private static double Ms(long microseconds) => Math.Round(microseconds / 1000.0, 3);
}
