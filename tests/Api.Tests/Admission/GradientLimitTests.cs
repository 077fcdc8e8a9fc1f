using ExamConsole.Api.Admission;
using Microsoft.Extensions.Time.Testing;

namespace ExamConsole.Api.Tests.Admission;

/// <summary>
/// The adaptive limit on a fake clock with synthetic latencies. The "server" is a queue in front of
/// <see cref="Knee"/> workers: at or below the knee a request takes <see cref="BaseMs"/>, above it
/// every request waits its turn (latency grows with what is in flight), which is how the 2-core node
/// behaved in bench/knee.sh.
/// </summary>
public sealed class GradientLimitTests
{
    private const int Knee = 64;
    private const double BaseMs = 10;

    private static readonly AdmissionOptions Options = new()
    {
        AdaptiveFloor = 8,
        AdaptiveCeiling = 512,
        AdaptiveTolerance = 1.2,
        AdaptiveSmoothing = 0.2,
        AdaptiveWindow = TimeSpan.FromMilliseconds(500),
        AdaptiveMinSamples = 20,
        AdaptiveProbeInterval = TimeSpan.FromSeconds(30),
    };

    private readonly FakeTimeProvider _time = new();

    // Where a saturated server with this knee settles: latency at the tolerance, plus sqrt(limit) queued.
    private static readonly double Settled = SettlePoint(Options.AdaptiveTolerance * Knee);

    private static double QueueingServerMs(int inFlight) => BaseMs * Math.Max(1.0, inFlight / (double)Knee);

    private GradientLimit Create(int initial) => new(Options, _time, initial);

    /// <summary>Feeds one full window: each request started with <paramref name="inFlight"/> in flight and took <paramref name="latencyMs"/>.</summary>
    private int Window(GradientLimit limit, double latencyMs, int inFlight)
    {
        var step = Options.AdaptiveWindow / Options.AdaptiveMinSamples;
        for (var i = 0; i < Options.AdaptiveMinSamples; i++)
        {
            _time.Advance(step);
            limit.Sample(TimeSpan.FromMilliseconds(latencyMs), inFlight);
        }
        return limit.Limit;
    }

    /// <summary>Windows where clients keep the gate full (in flight = the limit) on the queueing server; the limit after each, null during a probe.</summary>
    private List<int?> Saturate(GradientLimit limit, int windows, double slowdown = 1.0, Func<int, double>? jitter = null)
    {
        var limits = new List<int?>(windows);
        for (var w = 0; w < windows; w++)
        {
            var ms = QueueingServerMs(limit.Limit) * slowdown * (jitter?.Invoke(w) ?? 1.0);
            var after = Window(limit, ms, limit.Limit);
            limits.Add(limit.Probing ? null : after);
        }
        return limits;
    }

    private static List<int> Held(List<int?> limits) => limits.OfType<int>().ToList();

    private static double SettlePoint(double atTolerance)
    {
        // L = tolerance * knee + sqrt(L)
        var root = (1 + Math.Sqrt(1 + 4 * atTolerance)) / 2;
        return root * root;
    }

    [Fact]
    public void Limit_QuietServerWithTheGateFull_RisesToTheCeilingAndStaysThere()
    {
        var limit = Create(16);

        // Probe windows (the limit halved for one window, by design) are left out.
        var limits = Enumerable.Range(0, 400).Select(_ => (Limit: Window(limit, BaseMs, limit.Limit), limit.Probing))
            .Where(w => !w.Probing).Select(w => w.Limit).ToList();

        Assert.True(limits[9] > 16, $"after 10 quiet windows the limit is still {limits[9]}");
        Assert.All(limits.Zip(limits.Skip(1)), pair => Assert.True(pair.Second >= pair.First, $"fell from {pair.First} to {pair.Second} on a quiet server"));
        Assert.Equal(Options.AdaptiveCeiling, limits[^1]);
        Assert.Equal(Options.AdaptiveCeiling, limits.Max());
    }

    [Fact]
    public void Limit_FewRequestsInFlight_IsNotRaisedWithoutDemand()
    {
        var limit = Create(64);

        var limits = Enumerable.Range(0, 200).Select(_ => Window(limit, BaseMs, inFlight: 3)).ToList();

        Assert.All(limits, l => Assert.Equal(64, l));
    }

    [Fact]
    public void Limit_LatencyGrows_FallsWindowByWindow()
    {
        var limit = Create(200);
        for (var w = 0; w < 10; w++)
        {
            Window(limit, BaseMs, limit.Limit);
        }
        var before = limit.Limit;

        var limits = Enumerable.Range(0, 10).Select(_ => Window(limit, BaseMs * 3, limit.Limit)).ToList();

        Assert.All(limits.Prepend(before).Zip(limits), pair => Assert.True(pair.Second < pair.First, $"did not fall: {pair.First} then {pair.Second}"));
        Assert.True(limits[^1] < before / 2, $"three times slower for 10 windows, yet {limits[^1]} of {before}");
    }

    [Fact]
    public void Limit_AnyLatencies_NeverLeavesFloorOrCeiling()
    {
        var random = new Random(17);
        var limit = Create(64);
        var seen = new List<int>();

        for (var w = 0; w < 3000; w++)
        {
            // Phases of 300 windows each, from instant answers to ten-second ones, with any demand.
            var phase = w / 300 % 4;
            var ms = phase switch
            {
                0 => 0.5 + random.NextDouble(),
                1 => 10_000 * random.NextDouble(),
                2 => BaseMs,
                _ => BaseMs * (1 + 20 * random.NextDouble()),
            };
            seen.Add(Window(limit, ms, phase == 2 ? limit.Limit : random.Next(0, 2 * Options.AdaptiveCeiling)));
        }

        Assert.All(seen, l => Assert.InRange(l, Options.AdaptiveFloor, Options.AdaptiveCeiling));
        Assert.Contains(Options.AdaptiveFloor, seen);
        Assert.Contains(Options.AdaptiveCeiling, seen);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(400)]
    public void Limit_SaturatedQueueingServer_SettlesJustPastTheKneeFromEitherSide(int start)
    {
        var limit = Create(start);

        // A start far above the knee learns an inflated baseline; the probes (one every 60 windows)
        // bring it down.
        var limits = Held(Saturate(limit, 1200));

        // About 86 for a knee of 64: latency 1.2 times the baseline, plus a queue of sqrt(limit).
        Assert.InRange(limits[^1], (int)Settled - 2, (int)Settled + 2);
        Assert.InRange(Settled, Knee, Knee * 1.5);
    }

    [Fact]
    public void Limit_SteadyLoadWithNoisyLatency_DoesNotOscillate()
    {
        var limit = Create(Knee);
        Saturate(limit, 150);

        // Every window's mean latency off by up to 5 % either way.
        var noise = new Random(3);
        var windows = Saturate(limit, 300, jitter: _ => 0.95 + 0.1 * noise.NextDouble());
        var held = Held(windows);

        // One probe window a minute, by design; every other window holds the limit.
        Assert.InRange(windows.Count(w => w is null), 1, 5);
        Assert.True(held.Max() - held.Min() <= 6, $"the limit swung between {held.Min()} and {held.Max()}: {string.Join(",", windows.Select(w => w?.ToString() ?? "probe"))}");
        Assert.True(held.Zip(held.Skip(1)).Count(p => Math.Abs(p.First - p.Second) > 2) == 0, "the limit jumped by more than 2 in one window");
        Assert.InRange(held.Average(), Settled - 3, Settled + 3);
    }

    [Fact]
    public void Limit_HoursOfSustainedOverload_DoesNotCreepUpwards()
    {
        var limit = Create(Knee);

        // 2 windows a second: 7,200 windows are an hour at the limit.
        var limits = Held(Saturate(limit, 7200));

        Assert.InRange(limits.TakeLast(100).Min(), (int)Settled - 2, (int)Settled + 2);
        Assert.InRange(limits.TakeLast(100).Max(), (int)Settled - 2, (int)Settled + 2);
        Assert.InRange(limit.Baseline().TotalMilliseconds, BaseMs * 0.99, BaseMs * 1.01);
    }

    [Fact]
    public void Limit_EveryRequestTwiceAsSlow_FallsThenLearnsTheNewBaselineAndComesBack()
    {
        var limit = Create(Knee);
        Saturate(limit, 150);

        // A heavier mix: every request twice as long at any load. The node is not overloaded by its own
        // queue, so after the fall the limit must not stay at the floor.
        var limits = Held(Saturate(limit, 600, slowdown: 2.0));

        Assert.True(limits.Take(20).Min() < Settled * 0.75, $"the limit did not come down: lowest {limits.Take(20).Min()}");
        Assert.InRange(limits[^1], (int)Settled - 4, (int)Settled + 4);
    }

    [Fact]
    public void Limit_MixTurnsFromReadsToSubmits_IsNotTakenForAnOverload()
    {
        // Reads (kind 1) take 2 ms and submits (kind 2) 20 ms without a queue; past the knee both wait alike.
        const double readMs = 2, submitMs = 20;
        var limit = Create(Knee);
        List<int?> Mixed(int windows, int submitsOfTwenty)
        {
            var limits = new List<int?>(windows);
            var step = Options.AdaptiveWindow / Options.AdaptiveMinSamples;
            for (var w = 0; w < windows; w++)
            {
                var slowdown = Math.Max(1.0, limit.Limit / (double)Knee);
                var inFlight = limit.Limit;
                for (var i = 0; i < Options.AdaptiveMinSamples; i++)
                {
                    _time.Advance(step);
                    var submit = i < submitsOfTwenty;
                    limit.Sample(TimeSpan.FromMilliseconds((submit ? submitMs : readMs) * slowdown), inFlight, submit ? 2 : 1);
                }
                limits.Add(limit.Probing ? null : limit.Limit);
            }
            return limits;
        }

        // The exam's start: reads, and a few submits.
        var reads = Held(Mixed(150, submitsOfTwenty: 2));
        // Then saves and submits take most slots (their priority gives them the slots first): the mean
        // latency grows nine times, but no request is slower than it was at the same limit.
        var submits = Held(Mixed(300, submitsOfTwenty: 18));

        Assert.InRange(reads[^1], (int)Settled - 2, (int)Settled + 2);
        Assert.True(submits.Min() >= Settled * 0.9, $"the change of mix cut the limit to {submits.Min()} (settled: {Settled:F0})");
        Assert.InRange(submits[^1], (int)Settled - 2, (int)Settled + 2);
        Assert.InRange(limit.Baseline(2).TotalMilliseconds, submitMs * 0.95, submitMs * 1.05);
        Assert.InRange(limit.Baseline(1).TotalMilliseconds, readMs * 0.95, readMs * 1.05);
    }
}
