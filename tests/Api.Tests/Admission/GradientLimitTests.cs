using ExamConsole.Api.Admission;
using ExamConsole.Testing;
using Microsoft.Extensions.Time.Testing;

namespace ExamConsole.Api.Tests.Admission;

/// <summary>
/// The adaptive limit on a fake clock with a synthetic server. The server completes requests at the
/// rate Little's law gives (in flight over latency), and its latency grows with what it holds past
/// <see cref="Knee"/>: below the knee more in flight serve more; past it every request waits its turn
/// and a little is lost to the crowd (throughput falls slowly), which is how the 2-core node behaved
/// in bench/knee.sh (128 in flight served less than 64).
/// </summary>
public sealed class GradientLimitTests
{
    private const int Knee = 64;
    private const double BaseMs = 50;

    private static readonly AdmissionOptions Options = new()
    {
        AdaptiveFloor = 8,
        AdaptiveCeiling = 512,
        AdaptiveStep = 0.15,
        AdaptiveMinimumGain = 0.1,
        AdaptiveFitCycles = 8,
        AdaptiveWindow = TimeSpan.FromMilliseconds(500),
        AdaptiveMinSamples = 20,
        // The climb itself: probes either side of the centre in every cycle (the rest and the probes
        // above only have tests of their own).
        AdaptiveRestCycles = 0,
        AdaptiveProbe = AdaptiveProbe.Around,
    };

    private readonly FakeTimeProvider _time = new();

    // Where the climb settles on this server: the elasticity of throughput between 15 % above and 15 %
    // below the centre is the minimum gain g, i.e. ln(knee / low) - 0.25 ln(high / knee) = g ln(high / low):
    // about 1.04 times the knee with g = 0.25.
    private static readonly double Settled = Knee * Math.Exp((-Math.Log(0.85) - 0.25 * Math.Log(1.15) - Options.AdaptiveMinimumGain * Math.Log(1.15 / 0.85)) / 1.25);

    /// <summary>Latency over the no-queue latency with this many in flight: 1 up to the knee, then waiting in turn, plus the crowd's cost.</summary>
    private static double Slowdown(int inFlight) =>
        inFlight <= Knee ? 1.0 : inFlight / (double)Knee * Math.Pow(inFlight / (double)Knee, 0.25);

    private GradientLimit Create(int initial) => new(Options, _time, initial);

    /// <summary>The same settings, resting three cycles at the centre after each probe cycle, probing as given.</summary>
    private static AdmissionOptions Resting(AdaptiveProbe probe) => new()
    {
        AdaptiveFloor = Options.AdaptiveFloor,
        AdaptiveCeiling = Options.AdaptiveCeiling,
        AdaptiveStep = Options.AdaptiveStep,
        AdaptiveMinimumGain = Options.AdaptiveMinimumGain,
        AdaptiveFitCycles = Options.AdaptiveFitCycles,
        AdaptiveWindow = Options.AdaptiveWindow,
        AdaptiveMinSamples = Options.AdaptiveMinSamples,
        AdaptiveRestCycles = 3,
        AdaptiveProbe = probe,
    };

    /// <summary>
    /// One window at the limit in force: the server completes (in flight / latency) requests a second,
    /// kinds taken in turn from <paramref name="heavyTenths"/> (tenths of kind 2, <paramref name="heavyMs"/>;
    /// the rest kind 1, <see cref="BaseMs"/>). Returns the centre after it.
    /// </summary>
    private int Window(GradientLimit limit, Func<int, double>? slowdown = null, int? inFlight = null, double noise = 1.0, int heavyTenths = 0, double heavyMs = BaseMs)
    {
        var held = inFlight ?? limit.Limit;
        var s = (slowdown ?? Slowdown)(held);
        var meanMs = (BaseMs * (10 - heavyTenths) + heavyMs * heavyTenths) / 10;
        var perSecond = held / (meanMs * s / 1000) * noise;
        // The limit's window is at least twice its requests' latency: one window of it.
        var length = limit.WindowLength;
        var count = Math.Max(Options.AdaptiveMinSamples, (int)Math.Round(perSecond * length.TotalSeconds));
        var step = TimeSpan.FromTicks(length.Ticks / count + 1);
        for (var i = 0; i < count; i++)
        {
            _time.Advance(step);
            var heavy = i % 10 < heavyTenths;
            limit.Sample(TimeSpan.FromMilliseconds((heavy ? heavyMs : BaseMs) * s), held, heavy ? 2 : 1);
        }
        return limit.Centre;
    }

    private List<int> Windows(GradientLimit limit, int count, Func<int, double>? slowdown = null, Func<int, double>? noise = null, int heavyTenths = 0, double heavyMs = BaseMs) =>
        Enumerable.Range(0, count).Select(w => Window(limit, slowdown, null, noise?.Invoke(w) ?? 1.0, heavyTenths, heavyMs)).ToList();

    [Fact]
    public void Limit_ServerWithoutAKnee_RisesToTheCeilingAndStaysThere()
    {
        var limit = Create(16);

        var centres = Windows(limit, 400, slowdown: _ => 1.0);

        Assert.True(centres[39] > 16, $"after 10 cycles the limit is still {centres[39]}");
        Assert.All(centres.Zip(centres.Skip(1)), pair => Assert.True(pair.Second >= pair.First, $"fell from {pair.First} to {pair.Second} on a server with no knee"));
        Assert.Equal(Options.AdaptiveCeiling, centres[^1]);
        Assert.InRange(limit.Limit, (int)(Options.AdaptiveCeiling * 0.85) - 1, Options.AdaptiveCeiling);
    }

    [Theory]
    [InlineData(300)]
    [InlineData(40)]
    public void Limit_FlatPlateauWithNoisyThroughput_SettlesAtTheKneeInsteadOfDrifting(int start)
    {
        // Past the knee more in flight only wait: throughput flat, each window's off by up to 5 %. With no
        // minimum gain the centre was left to the noise (it walked to the ceiling on the 2-core node).
        // On a flat plateau the fit's elasticity is 0, the minimum gain (0.1) less its standard error
        // (about 0.05 here) from where the centre settles: it comes down from 300 by about half a percent
        // a cycle, and never climbs on the way.
        var random = new Random(17);
        var limit = Create(start);

        var centres = Windows(limit, 2000, slowdown: held => Math.Max(1.0, held / (double)Knee), noise: _ => 0.95 + 0.1 * random.NextDouble());

        if (start > Knee)
        {
            Assert.True(centres[800] < start / 2, $"800 windows later still {centres[800]}");
            Assert.All(centres.Zip(centres.Skip(1)).Take(800), pair => Assert.True(pair.Second <= pair.First, $"climbed from {pair.First} to {pair.Second} on a flat plateau above the knee"));
        }
        // The elasticity falls to the minimum gain with the low probe just under the knee: 64 / 0.85 / e^(0.25 ln(1.15/0.85)), about 70.
        var tail = centres.TakeLast(400).ToList();
        Assert.InRange(tail.Average(), Knee * 0.95, Knee * 1.25);
        Assert.True(tail.Max() <= Knee * 1.5, $"drifted up to {tail.Max()}");
    }

    [Fact]
    public void Limit_PoolTimingOut_BacksOffBelowTheLimitThatOverloadedAndStaysUnderIt()
    {
        // A server without a knee (the climb alone would reach the ceiling), whose pool times out
        // acquisitions whenever more than 100 are in flight: the overload signal, not the throughput.
        var overloads = 0L;
        var limit = new GradientLimit(Options, _time, 400, () => overloads);
        var centres = new List<int>();
        for (var w = 0; w < 400; w++)
        {
            if (limit.Limit > 100)
            {
                overloads++;
            }
            centres.Add(Window(limit, slowdown: _ => 1.0));
        }

        // The first overloaded window takes a fifth off at once: 400 * e^-0.2 = 327. The next still
        // completes requests admitted at 400 (a window's first requests started before it did), and
        // only the one after may cut again: 327, 268, 219, 179, 147, 120, 98 in 13 windows.
        Assert.Equal((int)Math.Round(400 * Math.Exp(-0.2)), centres[0]);
        Assert.Equal(centres[0], centres[1]);
        Assert.True(centres.Take(13).Last() < 100, $"13 overloaded windows later the limit is {centres[12]}");
        // Afterwards it climbs back towards 100 and backs off whenever its high probe crosses it.
        Assert.All(centres.Skip(12), c => Assert.InRange(c, 40, 100));
        Assert.InRange(centres.TakeLast(200).Average(), 55, 100);
        Assert.InRange(limit.BackOffs, 7, 200);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Limit_ReleasedFarAboveWhatThePoolHolds_BacksOffOncePerEchoOfTheEarlierLimit(bool byOperator)
    {
        // The shipped probing, released at 256 (at start, or by an operator over a node held at 64)
        // on a server without a knee whose pool times out one acquisition in ten of the requests
        // admitted while more than 100 are in flight, 3 s after their admission (the pool's acquire
        // timeout): each cut is followed by 3 s of time-outs of requests admitted under the limit
        // before it. Counted against the new limit, they cut it again every window: from 256 the
        // 2-core node went 178, 124, 86, 60, 42 in 8 s (BENCHMARKS.md, issue 17). Cut once per echo,
        // it stops at the first limit under 100: 256, 178, 124, 86.
        var overloads = 0L;
        var limit = new GradientLimit(Resting(AdaptiveProbe.Above), _time, byOperator ? 64 : 256, () => overloads);
        var echoes = new Queue<(DateTimeOffset Due, int InFlight)>();
        var admitted = 0L;
        void Serve(TimeSpan span)
        {
            var end = _time.GetUtcNow() + span;
            while (_time.GetUtcNow() < end)
            {
                // 1,000 requests a second, each 50 ms, with the limit in flight.
                _time.Advance(TimeSpan.FromMilliseconds(1));
                while (echoes.TryPeek(out var echo) && echo.Due <= _time.GetUtcNow())
                {
                    echoes.Dequeue();
                    overloads++;
                    limit.Sample(TimeSpan.FromSeconds(3), echo.InFlight, 1);
                }
                var held = limit.Limit;
                if (held > 100 && ++admitted % 10 == 0)
                {
                    echoes.Enqueue((_time.GetUtcNow() + TimeSpan.FromSeconds(3), held));
                }
                limit.Sample(TimeSpan.FromMilliseconds(BaseMs), held, 1);
            }
        }
        if (byOperator)
        {
            // A minute held at 64 without a time-out, then the operator's release.
            Serve(TimeSpan.FromSeconds(60));
            limit.Reset(256);
            Assert.Equal(0, limit.BackOffs);
        }

        var centres = new List<int>();
        for (var s = 0; s < 60 * 10; s++)
        {
            Serve(TimeSpan.FromMilliseconds(100));
            centres.Add(limit.Centre);
        }

        // Its first high probe at 86 (116) overloads too, once: 86 * 0.85 * e^-0.2 = 60, whose probe (81) does not.
        Assert.Equal([178, 124, 86, 60], centres.Distinct().Where(c => c < 256).Take(4));
        Assert.Equal(4, limit.BackOffs);
        Assert.True(centres.Min() >= 55, $"cut to {centres.Min()} by time-outs of requests admitted under earlier limits");
    }

    [Fact]
    public void Limit_ProbingAboveWhenThePoolTimesOut_ProbesNextUnderTheLimitThatOverloaded()
    {
        // The shipped probing (three cycles' rest, probes above the centre) on a server without a knee
        // whose pool times out whenever more than 100 are in flight. Above's high probe is 35 % over the
        // centre: a fifth below a limit that overloaded at rest, it was 11 % over that limit again.
        var overloads = 0L;
        var limit = new GradientLimit(Resting(AdaptiveProbe.Above), _time, 400, () => overloads);
        int? overloadedAt = null;
        var probesAfterABackOff = 0;
        var centres = new List<int>();
        for (var w = 0; w < 3000; w++)
        {
            var (held, centre, backOffs) = (limit.Limit, limit.Centre, limit.BackOffs);
            if (overloadedAt is { } overloaded && held > centre)
            {
                Assert.True(held < overloaded, $"window {w}: the high probe {held} is over {overloaded}, which overloaded the node");
                (overloadedAt, probesAfterABackOff) = (null, probesAfterABackOff + 1);
            }
            if (held > 100)
            {
                overloads++;
            }
            centres.Add(Window(limit, slowdown: _ => 1.0));
            if (limit.BackOffs > backOffs)
            {
                overloadedAt = held;
            }
        }

        Assert.InRange(probesAfterABackOff, 10, 3000);
        // It climbs back towards 100 between back-offs, resting where its high probe stays under 100.
        Assert.InRange(centres.TakeLast(1000).Average(), 50, 100);
        Assert.True(centres.TakeLast(1000).Max() <= 100, $"rested at {centres.TakeLast(1000).Max()}");
    }

    [Fact]
    public void Limit_FewRequestsInFlight_IsNotMovedWithoutDemand()
    {
        var limit = Create(64);

        var limits = new List<int>();
        var centres = Enumerable.Range(0, 200).Select(_ =>
        {
            limits.Add(limit.Limit);
            return Window(limit, inFlight: 3);
        }).ToList();

        Assert.All(centres, c => Assert.Equal(64, c));
        Assert.All(limits, l => Assert.Equal(64, l));
    }

    [Theory]
    [InlineData(AdaptiveProbe.Above, 3)]
    [InlineData(AdaptiveProbe.Around, 0)]
    public void Limit_NodeKeepingUpUnderItsCentre_NeitherProbesNorFalls(AdaptiveProbe probe, int rest)
    {
        // Demand holds 50 in flight, under the centre: the node keeps up and the limit decides nothing.
        // Both probes then served the same, the centre walked down until it queued what the node was
        // asked for, and the high probe raised the in-flight peaks: adaptive's p99 on a 2-core node that
        // kept up at 60 teachers/s was higher than a fixed 64's (BENCHMARKS.md, issue 17).
        var options = Resting(probe);
        options.AdaptiveRestCycles = rest;
        var limit = new GradientLimit(options, _time, Knee);
        var limits = new List<int>();
        var centres = new List<int>();
        for (var w = 0; w < 2000; w++)
        {
            limits.Add(limit.Limit);
            centres.Add(Window(limit, inFlight: Math.Min(50, limit.Limit)));
        }

        Assert.True(limits.All(l => l == Knee), $"probed between {limits.Min()} and {limits.Max()} with no request waiting");
        Assert.True(centres.All(c => c == Knee), $"the centre went between {centres.Min()} and {centres.Max()}");
    }

    [Fact]
    public void Limit_DemandPastTheCentreOnAServerWithRoom_RisesToServeIt()
    {
        // The shipped probing. Demand holds 80 in flight on a server with no knee: at 64 the limit
        // queues what comes, and its high probe (86) serves all of it without being full. That window is
        // decided by demand, yet it is the measure: more in flight served more. The centre rises until its
        // rest serves all of it, and stops there: with nobody waiting it no longer probes.
        var limit = new GradientLimit(Resting(AdaptiveProbe.Above), _time, Knee);
        var centres = new List<int>();
        for (var w = 0; w < 2000; w++)
        {
            centres.Add(Window(limit, slowdown: _ => 1.0, inFlight: Math.Min(80, limit.Limit)));
        }

        Assert.True(centres[200] > Knee, $"200 windows later the centre is {centres[200]}");
        Assert.True(centres.TakeLast(400).All(c => c is >= 80 and <= 90), $"ended between {centres.TakeLast(400).Min()} and {centres.TakeLast(400).Max()}");
    }

    [Fact]
    public void Limit_FarPastTheKnee_FallsCycleByCycle()
    {
        var limit = Create(400);

        var centres = Windows(limit, 200);
        var cycles = centres.Where((_, i) => i % 4 == 3).ToList();

        // The first fit needs half its windows: the centre holds for the first FitCycles / 2 cycles, then falls every cycle.
        Assert.All(cycles.Take(Options.AdaptiveFitCycles / 2), c => Assert.Equal(400, c));
        Assert.All(cycles.Skip(4).Take(8).Zip(cycles.Skip(5).Take(7)), pair => Assert.True(pair.Second < pair.First, $"did not fall: {pair.First} then {pair.Second}"));
        // Elasticity -0.25 counted in requests (the server's), -0.33 by work: it moves by the smaller, 3 % a cycle.
        Assert.True(centres[^1] < 100, $"50 cycles past the knee, yet {centres[^1]}");
    }

    [Fact]
    public void Limit_AnyLatencies_NeverLeavesFloorOrCeiling()
    {
        var random = new Random(17);
        var limit = Create(64);
        var seen = new List<int>();

        for (var w = 0; w < 3000; w++)
        {
            // Phases of 300 windows: a server without a knee, one that collapses, a sane one, and noise, with any demand.
            var phase = w / 300 % 4;
            Func<int, double> slowdown = phase switch
            {
                0 => _ => 1.0,
                1 => l => Math.Pow(l / 32.0, 2),
                2 => Slowdown,
                _ => _ => 1 + 20 * random.NextDouble(),
            };
            Window(limit, slowdown, phase == 3 ? random.Next(1, 2 * Options.AdaptiveCeiling) : null, 0.5 + random.NextDouble());
            seen.Add(limit.Limit);
        }

        Assert.All(seen, l => Assert.InRange(l, Options.AdaptiveFloor, Options.AdaptiveCeiling));
        Assert.Contains(Options.AdaptiveFloor, seen);
        Assert.Contains(Options.AdaptiveCeiling, seen);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(400)]
    public void Limit_SaturatedServer_SettlesJustPastTheKneeFromEitherSide(int start)
    {
        var limit = Create(start);

        var centres = Windows(limit, 1200);

        // About 71 for a knee of 64: the top of the throughput curve, measured 15 % either side.
        Assert.InRange(centres.TakeLast(200).Average(), Settled - 4, Settled + 4);
        Assert.InRange(Settled, Knee, Knee * 1.2);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(400)]
    public void Limit_RestingBetweenProbeCycles_ProbesAQuarterOfTheTimeAndStillSettlesPastTheKnee(int start)
    {
        // Three cycles at the centre after each probe cycle: the limit in force leaves the centre in a
        // quarter of the windows, and the fit (over the same eight probe cycles) finds the same knee.
        var limit = new GradientLimit(Resting(AdaptiveProbe.Around), _time, start);
        var probing = 0;
        var centres = new List<int>();
        for (var w = 0; w < 4800; w++)
        {
            if (limit.Limit != limit.Centre)
            {
                probing++;
            }
            centres.Add(Window(limit));
        }

        Assert.Equal(12, limit.RestWindows);
        Assert.InRange(probing / 4800.0, 0.24, 0.26);
        Assert.InRange(centres.TakeLast(800).Average(), Settled - 4, Settled + 4);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(400)]
    [InlineData(512)]
    public void Limit_ProbingAboveOnly_NeverDipsBelowTheCentreAndSettlesWhereTheLowProbeDid(int start)
    {
        // The low probe is the centre and the high one 35 % above it: the same two limits apart as 15 %
        // either side, so the same measure; the centre settles where the low probe of Around did. Near
        // the ceiling the low probe is the ceiling less that spread (378): from 512, probes clamped to
        // the ceiling both would never have moved the centre.
        var options = Resting(AdaptiveProbe.Above);
        var highest = (int)Math.Round(options.AdaptiveCeiling * (1 - options.AdaptiveStep) / (1 + options.AdaptiveStep));
        var limit = new GradientLimit(options, _time, start);
        var centres = new List<int>();
        var highs = new List<int>();
        for (var w = 0; w < 4800; w++)
        {
            var (held, centre) = (limit.Limit, limit.Centre);
            Assert.True(held >= Math.Min(centre, highest), $"window {w}: limit {held} below its centre {centre}");
            if (held > centre)
            {
                highs.Add(held);
            }
            centres.Add(Window(limit));
        }

        var low = Settled * (1 - Options.AdaptiveStep);
        Assert.InRange(centres.TakeLast(800).Average(), low - 4, low + 4);
        Assert.InRange(highs.TakeLast(100).Average(), low * 1.15 / 0.85 - 5, low * 1.15 / 0.85 + 5);
    }

    [Fact]
    public void Limit_SteadyLoadWithNoisyThroughput_DoesNotOscillate()
    {
        var limit = Create(Knee);
        Windows(limit, 200);

        // Every window's throughput off by up to 5 % either way.
        var noise = new Random(3);
        var centres = Windows(limit, 400, noise: _ => 0.95 + 0.1 * noise.NextDouble());

        Assert.True(centres.Max() - centres.Min() <= Settled * 0.3, $"the limit swung between {centres.Min()} and {centres.Max()}");
        Assert.True(centres.Zip(centres.Skip(1)).All(p => Math.Abs(p.First - p.Second) <= Math.Ceiling(p.First * 0.1)), "the limit moved by more than a tenth in one cycle");
        Assert.InRange(centres.Average(), Settled * 0.9, Settled * 1.1);
    }

    [Fact]
    public void Limit_NoisyWindowsOnAWavingLoad_HoldsWhereTheNodeServesNearItsTop()
    {
        // The 2-core node's curve: no sharp knee, throughput rising ever more slowly towards its top
        // (X = 12 (1 - e^(-L/12)), 96 % of the top at 40 in flight), each window off by up to 30 %, and
        // the load in waves of 20 s (+-15 %). One cycle's measure with 4 times the gain walked the limit
        // to its floor there, as on the node (BENCHMARKS.md, issue 17).
        const double k = 12;
        static double Served(int inFlight) => k * (1 - Math.Exp(-inFlight / k));
        var shares = new List<double>();
        var centres = new List<int>();
        for (var seed = 0; seed < 10; seed++)
        {
            var random = new Random(seed);
            var limit = Create(64);
            for (var w = 0; w < 480; w++)
            {
                var held = limit.Limit;
                var wave = 1 + 0.15 * Math.Sin(2 * Math.PI * w / 40);
                var centre = Window(limit, slowdown: l => l / Served(l), noise: wave * (0.7 + 0.6 * random.NextDouble()));
                if (w >= 80)
                {
                    shares.Add(Served(held) / k);
                    centres.Add(centre);
                }
            }
        }

        Assert.True(shares.Average() >= 0.95 && centres.Min() > Options.AdaptiveFloor * 1.5 && centres.Max() < Options.AdaptiveCeiling / 2, $"served {shares.Average():P1} of the top on average, the centre between {centres.Min()} and {centres.Max()}, {centres.Average():F0} on average");
    }

    [Fact]
    public void Limit_WindowsAsNoisyAsTheTwoCoreNodes_StaysNearWhereItStarted()
    {
        // The 2-core node in the knee's overload: at one limit a 500 ms window's work ranged from 2.9 to
        // 23.4 (the load generator, PostgreSQL and the host share two cores), and the fit's standard error
        // was 0.6 to 1.4 (BENCHMARKS.md, issue 17). Flat from the knee on, as the node's curve is from
        // about 50 to 100 in flight. Moved by every estimate, the centre walked up to 130 and 298 there,
        // and here between 24 and 512 (ends 57 to 345, median 170); moved only by what the fit tells apart
        // from its noise, between 44 and 225 (ends 62 to 140). The plateau still lets it wander up more
        // than down (below the knee the evidence is strong, above it weak): it is not pinned, only no
        // longer a walk. 10 runs of 100 cycles (about 3 min each).
        var ends = new List<int>();
        var extremes = new List<int>();
        for (var seed = 0; seed < 10; seed++)
        {
            var random = new Random(seed);
            var limit = Create(Knee);
            var centres = Windows(limit, 400, slowdown: held => Math.Max(1.0, held / (double)Knee), noise: _ => Math.Exp(0.5 * random.NextNormal()));
            ends.Add(centres[^1]);
            extremes.Add(centres.Min());
            extremes.Add(centres.Max());
        }

        ends.Sort();
        Assert.True(extremes.Min() >= Knee / 2 && extremes.Max() <= Options.AdaptiveCeiling / 2 && ends[ends.Count / 2] <= Knee * 1.75, $"the centres went between {extremes.Min()} and {extremes.Max()}; ends {string.Join(", ", ends)}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Limit_LoadLevelWanderingSlowly_IsNotReadAsAnAnswerToTheLimit(int seed)
    {
        // Flat past a knee of 64, and a level of work that wanders by itself (the queue's mix turning
        // heavier or lighter, waves of arrivals): 3 % a window at random, between half and twice. The
        // fit's trend in time takes most of it out; four times the gain followed it.
        var random = new Random(seed);
        var limit = Create(Knee);
        var level = 1.0;
        var centres = new List<int>();
        for (var w = 0; w < 1200; w++)
        {
            level = Math.Clamp(level * Math.Exp(0.03 * (2 * random.NextDouble() - 1) * Math.Sqrt(3)), 0.5, 2.0);
            centres.Add(Window(limit, slowdown: held => Math.Max(1.0, held / (double)Knee), noise: level));
        }

        Assert.True(centres.Min() >= Knee * 0.75 && centres.Max() <= Knee * 1.5, $"wandered between {centres.Min()} and {centres.Max()}");
    }

    [Fact]
    public void Limit_RequestsAdmittedUnderTheOtherHalfsLimit_StillCountAsWorkDone()
    {
        // Past a knee of 64 throughput is flat; a third of each window's requests were admitted two
        // windows earlier (slow requests spill over), under that window's limit. Counting only those
        // admitted under the limit in force took work from the low half alone, read as "more in flight
        // serve more", and climbed to the ceiling (the 2-core node reached 154 in a knee run).
        var limit = Create(Knee);
        var earlier = new Queue<int>([limit.Limit, limit.Limit]);
        var centres = new List<int>();
        for (var w = 0; w < 600; w++)
        {
            var held = limit.Limit;
            var perSecond = Math.Min(held, Knee) / (BaseMs / 1000);
            var latency = TimeSpan.FromMilliseconds(BaseMs * Math.Max(1.0, held / (double)Knee));
            var length = limit.WindowLength;
            var count = (int)Math.Round(perSecond * length.TotalSeconds);
            var step = TimeSpan.FromTicks(length.Ticks / count + 1);
            for (var i = 0; i < count; i++)
            {
                _time.Advance(step);
                limit.Sample(latency, i % 3 == 0 ? earlier.Peek() : held, 1);
            }
            earlier.Dequeue();
            earlier.Enqueue(held);
            centres.Add(limit.Centre);
        }

        Assert.True(centres.TakeLast(300).Max() <= Knee * 1.3, $"climbed to {centres.TakeLast(300).Max()} on a flat plateau");
        Assert.InRange(centres.TakeLast(300).Average(), Knee * 0.85, Knee * 1.2);
    }

    [Theory]
    [InlineData(50, 500)]
    [InlineData(900, 1800)]
    [InlineData(30_000, 10_000)]
    public void WindowLength_IsTwiceTheRequestsLatencyBetweenOneAndTwentyWindows(int latencyMs, int expectedMs)
    {
        var limit = Create(Knee);

        // Windows of requests that all take latencyMs: the length follows from the first cycle on.
        for (var w = 0; w < 5; w++)
        {
            var length = limit.WindowLength;
            for (var i = 0; i < 40; i++)
            {
                _time.Advance(length / 40 + TimeSpan.FromTicks(1));
                limit.Sample(TimeSpan.FromMilliseconds(latencyMs), limit.Limit, 1);
            }
        }

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), limit.WindowLength);
    }

    [Fact]
    public void Limit_HoursOfSustainedOverload_DoesNotCreep()
    {
        var limit = Create(Knee);

        // 2 windows a second: 7,200 windows are an hour at the limit.
        var centres = Windows(limit, 7200);

        Assert.InRange(centres.TakeLast(400).Min(), Settled * 0.9, Settled * 1.1);
        Assert.InRange(centres.TakeLast(400).Max(), Settled * 0.9, Settled * 1.1);
        Assert.InRange(limit.Baseline(1).TotalMilliseconds, BaseMs * 0.99, BaseMs * 1.01);
    }

    [Fact]
    public void Limit_EveryRequestTwiceAsSlow_KeepsTheKnee()
    {
        var limit = Create(Knee);
        Windows(limit, 400);

        // A slower database: every request twice as long at any load. The node serves half as much, but
        // its knee (how many in flight serve the most) has not moved: the limit must not fall.
        var centres = Windows(limit, 600, slowdown: l => 2 * Slowdown(l));

        Assert.True(centres.Min() >= Settled * 0.85, $"the limit fell to {centres.Min()}");
        Assert.InRange(centres.TakeLast(200).Average(), Settled - 5, Settled + 5);
    }

    [Fact]
    public void Limit_MixTurnsFromReadsToSubmits_IsNotTakenForAChangeOfThroughput()
    {
        // Reads (kind 1) take 50 ms and submits (kind 2) 500 ms without a queue.
        var limit = Create(Knee);
        Windows(limit, 400, heavyTenths: 1, heavyMs: 500);
        var reads = limit.Centre;

        // The mix turns within cycles: the windows above the centre see mostly reads, those below
        // mostly submits, then the other way round. Counted in requests, the halves would differ ten
        // times; counted as work, not at all.
        var centres = new List<int>();
        for (var w = 0; w < 800; w++)
        {
            var submits = w / 400 == 0 ? (w % 4 < 2 ? 1 : 9) : (w % 4 < 2 ? 9 : 1);
            centres.Add(Window(limit, heavyTenths: submits, heavyMs: 500));
        }

        Assert.InRange(reads, Settled * 0.9, Settled * 1.1);
        Assert.True(centres.Min() >= Settled * 0.8 && centres.Max() <= Settled * 1.2, $"the change of mix moved the limit between {centres.Min()} and {centres.Max()} (settled: {Settled:F0})");
        Assert.InRange(limit.Baseline(2).TotalMilliseconds, 500 * 0.95, 500 * 1.05);
        Assert.InRange(limit.Baseline(1).TotalMilliseconds, BaseMs * 0.95, BaseMs * 1.05);
    }

    [Fact]
    public void Limit_WeighingsDisagreeAsThePriorityMixTurns_HoldsTheCentre()
    {
        // The gate admits writes (kind 2, 500 ms without a queue) before reads (kind 1, 50 ms): a higher
        // limit serves more reads and fewer writes. Counted in requests that is more served (elasticity
        // about +0.6), weighed by latency less (about -0.4); the node's real cost per request lies
        // between the two, and neither alone may move the centre (on the 2-core node each drifted:
        // down to 15 to 24, up to 85 to 153).
        var limit = Create(Knee);
        var centres = new List<int>();
        for (var w = 0; w < 400; w++)
        {
            var held = limit.Limit;
            var (reads, writes) = (400 * held / (double)Knee, 100 * Knee / (double)held);
            var length = limit.WindowLength;
            var (readCount, writeCount) = ((int)Math.Round(reads * length.TotalSeconds), (int)Math.Round(writes * length.TotalSeconds));
            var count = readCount + writeCount;
            var step = TimeSpan.FromTicks(length.Ticks / count + 1);
            for (var i = 0; i < count; i++)
            {
                _time.Advance(step);
                var write = i * writeCount / count != (i + 1) * writeCount / count;
                limit.Sample(TimeSpan.FromMilliseconds(write ? 500 : BaseMs), held, write ? 2 : 1);
            }
            centres.Add(limit.Centre);
        }

        Assert.True(centres.Min() >= Knee * 0.9 && centres.Max() <= Knee * 1.1, $"moved between {centres.Min()} and {centres.Max()}");
        Assert.InRange(limit.RequestElasticity ?? double.NaN, 0.4, 0.8);
        Assert.InRange(limit.Elasticity ?? double.NaN, -0.6, -0.2);
    }
}
