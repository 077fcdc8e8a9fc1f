using ExamConsole.Data.Metrics;
using ExamConsole.Data.Pool;
using Microsoft.Extensions.Time.Testing;

namespace ExamConsole.Data.Tests.Metrics;

public sealed class WindowedHistogramTests
{
    // On a whole second, so that one-second slots start where the test's seconds do.
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Window_HundredThousandSamples_PercentilesExactToItsPrecision()
    {
        var window = new WindowedHistogram(TimeSpan.FromSeconds(30), _time);
        // Slow samples from before the window must not count.
        for (var i = 0; i < 5_000; i++)
        {
            window.RecordMicroseconds(500_000);
        }
        _time.Advance(TimeSpan.FromSeconds(31));

        // 1 µs .. 100 ms in order over 29 s: the newest samples are the slowest, so a window that
        // kept only the latest few thousand would read far too high.
        const int Samples = 100_000;
        for (var i = 1; i <= Samples; i++)
        {
            window.RecordMicroseconds(i);
            _time.Advance(TimeSpan.FromMicroseconds(290));
        }

        var read = window.Read();
        Assert.Equal(Samples, read.Count);
        AssertWithinPrecision(50.000, read.P50Ms);
        AssertWithinPrecision(95.000, read.P95Ms);
        AssertWithinPrecision(99.000, read.P99Ms);
        AssertWithinPrecision(100.000, read.MaxMs);
    }

    [Fact]
    public void Window_Sample_LeavesWhenItsSlotDoes()
    {
        var window = new WindowedHistogram(TimeSpan.FromSeconds(30), _time);
        window.RecordMilliseconds(10);

        _time.Advance(TimeSpan.FromSeconds(29.999));
        Assert.Equal(1, window.Read().Count);
        AssertWithinPrecision(10, window.Read().P99Ms);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(default, window.Read());
    }

    [Fact]
    public void Window_SlowestSampleLeaves_MaxFallsToTheSlowestLeft()
    {
        var window = new WindowedHistogram(TimeSpan.FromSeconds(30), _time);
        window.RecordMilliseconds(1_000);
        _time.Advance(TimeSpan.FromSeconds(20));
        window.RecordMilliseconds(10);
        AssertWithinPrecision(1_000, window.Read().MaxMs);

        _time.Advance(TimeSpan.FromSeconds(10));

        var read = window.Read();
        Assert.Equal(1, read.Count);
        AssertWithinPrecision(10, read.MaxMs);
        AssertWithinPrecision(10, read.P50Ms);
    }

    [Fact]
    public void Window_ReadOverMinutes_MatchesAHistogramOfWhatIsInTheWindow()
    {
        // The window's sum is kept as slots come and go: every read must equal one HdrHistogram of
        // exactly the values recorded in the window's slots, read at random moments and after gaps
        // longer than the window.
        var window = new WindowedHistogram(TimeSpan.FromSeconds(30), _time);
        var random = new Random(17);
        var recorded = new List<(long Second, long Microseconds)>();
        var start = _time.GetUtcNow();
        for (var step = 0; step < 2_000; step++)
        {
            var gap = random.Next(100) == 0 ? TimeSpan.FromSeconds(31 + random.Next(30)) : TimeSpan.FromMilliseconds(random.Next(400));
            _time.Advance(gap);
            var second = (long)(_time.GetUtcNow() - start).TotalSeconds;
            for (var i = random.Next(50); i > 0; i--)
            {
                // Mostly milliseconds, now and then a slow one (and the slowest kept, an hour), so that
                // the max and p99 leave with their slots.
                var value = random.Next(20) != 0 ? random.Next(1, 20_000)
                    : random.Next(50) == 0 ? WindowedHistogram.HighestMicroseconds
                    : random.NextInt64(1, 5_000_000);
                window.RecordMicroseconds(value);
                recorded.Add((second, value));
            }
            // What left the window can go: the list stays about a window long.
            recorded.RemoveAll(r => r.Second <= second - 30);
            if (random.Next(5) == 0)
            {
                var expected = new HdrHistogram.LongHistogram(1, WindowedHistogram.HighestMicroseconds, WindowedHistogram.SignificantDigits);
                foreach (var (s, value) in recorded)
                {
                    if (s > second - 30)
                    {
                        expected.RecordValue(value);
                    }
                }
                Assert.Equal(WindowLatency.Of(expected), window.Read());
            }
        }
    }

    [Fact]
    public void Window_LongerThanMaxSlots_UsesLongerSlots_AndStillCoversTheWindow()
    {
        var window = new WindowedHistogram(TimeSpan.FromHours(1), _time);
        Assert.Equal(TimeSpan.FromMinutes(1), window.SlotLength);
        window.RecordMilliseconds(3);

        _time.Advance(TimeSpan.FromMinutes(59.9));
        Assert.Equal(1, window.Read().Count);

        _time.Advance(TimeSpan.FromMinutes(0.1));
        Assert.Equal(0, window.Read().Count);
    }

    [Fact]
    public void Window_ReadsBetweenRecords_LoseNothing()
    {
        var window = new WindowedHistogram(TimeSpan.FromSeconds(10), _time);
        for (var i = 1; i <= 3; i++)
        {
            window.RecordMilliseconds(i);
            Assert.Equal(i, window.Read().Count);
            _time.Advance(TimeSpan.FromMilliseconds(400));
        }

        Assert.Equal(3, window.Read().Count);
        AssertWithinPrecision(2, window.Read().P50Ms);
    }

    [Fact]
    public async Task Window_ConcurrentWriters_EverySampleCounted()
    {
        var window = new WindowedHistogram(TimeSpan.FromSeconds(30), _time);
        const int Writers = 4, Each = 50_000;

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(() =>
        {
            for (var i = 0; i < Each; i++)
            {
                window.RecordMicroseconds(1 + i % 1000);
                if (w == 0 && i % 1000 == 0)
                {
                    window.Read();
                }
            }
        })));

        Assert.Equal(Writers * Each, window.Read().Count);
    }

    [Fact]
    public async Task Window_ConcurrentWritersWhileSlotsChange_EverySampleCounted()
    {
        // The clock moves 200 times by 100 ms (20 s in all, inside the 30 s window) while four writers
        // record and a reader reads: every record that opens a slot moves the one before into the sum.
        var window = new WindowedHistogram(TimeSpan.FromSeconds(30), _time);
        var moving = true;
        var progress = new long[4];
        // Threads of their own: four spinning writers on the thread pool would starve the test's own steps.
        var writing = Enumerable.Range(0, 4).Select(w => Task.Factory.StartNew(() =>
        {
            long recorded = 0;
            while (Volatile.Read(ref moving) || recorded == 0)
            {
                window.RecordMicroseconds(1 + recorded % 1000);
                Volatile.Write(ref progress[w], ++recorded);
            }
            return recorded;
        }, TaskCreationOptions.LongRunning)).ToArray();
        long Recorded() => Enumerable.Range(0, 4).Sum(w => Volatile.Read(ref progress[w]));
        for (var step = 0; step < 200; step++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
            window.Read();
            // Some records land in every slot before the clock moves on.
            var before = Recorded();
            Assert.True(SpinWait.SpinUntil(() => Recorded() > before, TimeSpan.FromSeconds(10)), "the writers recorded nothing for 10 s");
        }
        Volatile.Write(ref moving, false);

        var recorded = await Task.WhenAll(writing);

        Assert.Equal(recorded.Sum(), window.Read().Count);
    }

    [Fact]
    public void Window_ValuesOutOfRange_AreClamped()
    {
        var window = new WindowedHistogram(TimeSpan.FromSeconds(5), _time);

        window.RecordMilliseconds(-1);
        window.RecordMilliseconds(double.NaN);
        window.RecordMilliseconds(TimeSpan.FromHours(2).TotalMilliseconds);

        var read = window.Read();
        Assert.Equal(3, read.Count);
        Assert.Equal(0, read.P50Ms);
        AssertWithinPrecision(TimeSpan.FromHours(1).TotalMilliseconds, read.MaxMs);
    }

    [Fact]
    public void SlidingPercentiles_ReportThePoolsWindow_InMilliseconds()
    {
        var percentiles = new SlidingPercentiles(TimeSpan.FromSeconds(60), _time);
        for (var i = 1; i <= 100; i++)
        {
            percentiles.Record(i / 10.0);
        }

        var computed = percentiles.Compute();
        Assert.Equal(100, computed.Samples);
        AssertWithinPrecision(5.0, computed.P50);
        AssertWithinPrecision(9.5, computed.P95);
        AssertWithinPrecision(9.9, computed.P99);

        _time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(new LatencyPercentiles(0, 0, 0, 0), percentiles.Compute());
    }

    /// <summary>
    /// HdrHistogram keeps 3 significant digits and reports a bucket's highest value: never below the
    /// exact value, and above it by 0.1 % at most (plus the 1 µs of rounding to milliseconds).
    /// </summary>
    private static void AssertWithinPrecision(double exactMs, double actualMs) =>
        Assert.InRange(actualMs, exactMs, exactMs * 1.001 + 0.001);
}
