using BenchmarkDotNet.Attributes;
using ExamConsole.Data.Metrics;

namespace ExamConsole.Benchmarks;

/// <summary>
/// What the percentile windows of the pool and of the SLO table cost: one sample recorded (on the
/// request path, one thread, the system clock) and one read of a full 30 s window (what the console's
/// sampler does each second per route), 13,000 samples in each one-second slot, read again at the
/// same moment (<see cref="Read_FullWindow"/>); and read a second later, as the readers do, after
/// 100 samples in the new second (<see cref="Read_NextSecond"/>: one slot leaves the window, one
/// interval joins it; after its first 30 calls every slot holds its 100 samples, and what a read
/// costs does not depend on how many values a bucket counts).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[MinColumn]
[Config(typeof(PoolLeaseBenchmarks.ShortConfig))]
public class WindowedHistogramBenchmarks
{
    private const int Samples = 1_000;
    private const int PerSecond = 13_000;

    private readonly WindowedHistogram _recording = new(TimeSpan.FromSeconds(30), TimeProvider.System);
    private readonly SteppedClock _clock = new();
    private WindowedHistogram? _full;

    [GlobalSetup]
    public void Setup()
    {
        _full = new WindowedHistogram(TimeSpan.FromSeconds(30), _clock);
        var random = new Random(42);
        for (var second = 0; second < 30; second++)
        {
            _clock.Now = second * _clock.TimestampFrequency;
            for (var i = 0; i < PerSecond; i++)
            {
                _full.RecordMicroseconds(200 + random.Next(50_000));
            }
        }
    }

    [Benchmark(OperationsPerInvoke = Samples)]
    public void Record()
    {
        for (var i = 0; i < Samples; i++)
        {
            _recording.RecordMilliseconds(0.5 + i % 100);
        }
    }

    [Benchmark]
    public double Read_FullWindow() => _full!.Read().P99Ms;

    [Benchmark]
    public double Read_NextSecond()
    {
        _clock.Now += _clock.TimestampFrequency;
        for (var i = 0; i < 100; i++)
        {
            _full!.RecordMicroseconds(200 + i * 500);
        }
        return _full!.Read().P99Ms;
    }

    /// <summary>A clock the setup moves by hand, to fill every slot of the window without waiting.</summary>
    private sealed class SteppedClock : TimeProvider
    {
        public long Now { get; set; }

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Now;
    }
}
