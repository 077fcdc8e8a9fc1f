namespace ExamConsole.Api.Admission;

/// <summary>
/// The adaptive in-flight limit: a climb up the node's throughput curve to its top, the knee. It
/// perturbs the limit and observes (as a solar charger finds its maximum power point): around a
/// centre it holds the limit <see cref="AdmissionOptions.AdaptiveStep"/> above for two windows, then
/// as much below for two, and measures the work done in the second window of each (the first lets
/// the requests admitted at the other limit drain). Their ratio gives the elasticity of throughput
/// to the limit, <c>e = ln(X_high / X_low) / ln(high / low)</c>: about 1 below the knee (more in
/// flight, more served), about 0 on the plateau, below 0 past it (more in flight, less served). The
/// elasticity is smoothed (<see cref="AdmissionOptions.AdaptiveSmoothing"/>) and the centre moves by
/// <c>exp(gain * (e - g))</c>, at most a fifth a cycle, between the floor and the ceiling, where g is
/// <see cref="AdmissionOptions.AdaptiveMinimumGain"/>: up while more in flight still buys enough
/// throughput, down once it buys little (a plateau) or costs throughput. With g = 0 a plateau left the
/// centre to the noise, which walked it up to the ceiling on the 2-core node once its host used less
/// CPU per request, until the pool ran out of connections (BENCHMARKS.md, issue 17).
/// <para>
/// Overload: when the database pool timed out an acquisition during a window (<c>overloads</c>
/// counts them), the limit in force was too high whatever the throughput said (requests failing
/// fast look like throughput): the centre is set a fifth below that limit at once, and a new cycle
/// starts there, as TCP cuts its window on a loss.
/// </para>
/// <para>
/// Work, not requests: each completed request counts as the latency its kind (an endpoint: a
/// login, a paper read, a full-paper submit) has without a queue, its baseline. A window of submits
/// is more work than one of paper reads, so a change of mix between the two halves of a cycle is not
/// read as a change of throughput. Each kind's baseline falls towards a faster window and rises only
/// on evidence that the latency is not the gate's own queue (few in flight, or the limit at its floor).
/// </para>
/// <para>
/// Why not a latency gradient (Netflix's Gradient2, Envoy's filter), the first version: on the 2-core
/// node the load generator, PostgreSQL and the host share, latency grows long before throughput stops
/// growing (with group commit, more submits in flight make bigger batches), so a limit that holds
/// latency near its no-queue baseline sat at its floor while thousands queued and goodput fell to
/// 59 % of the best fixed limit's (BENCHMARKS.md, issue 17). Throughput is what the gate protects.
/// </para>
/// A cycle is held (the centre does not move) when either measured window had fewer than half its
/// limit in flight: demand, not the limit, decided what was served. Not thread-safe: the admission
/// controller calls it under its own lock.
/// </summary>
public sealed class GradientLimit
{
    /// <summary>Kinds told apart; kinds past this share the last one (a kind is an endpoint, and an API has few).</summary>
    public const int MaxKinds = 64;

    /// <summary>How far one cycle moves the centre per unit of elasticity (log scale): 0.25 past the knee takes a tenth off a cycle.</summary>
    private const double Gain = 0.4;

    /// <summary>The largest move of one cycle (log scale): about a fifth up or down.</summary>
    private const double MaxLogStep = 0.2;

    /// <summary>How fast a baseline falls towards a faster window: half way each window.</summary>
    private const double BaselineFall = 0.5;

    /// <summary>How fast it rises on evidence: slowly, about 10 windows to follow a new latency.</summary>
    private const double BaselineRise = 0.1;

    private readonly TimeProvider _time;
    private readonly Func<long>? _overloads;
    private readonly Kind[] _kinds = new Kind[MaxKinds];
    private double _centre;
    private int _phase;
    private double _highWork;
    private bool _highSaturated;
    private double? _elasticity;
    private long _windowStart;
    private int _samples;
    private int _maxInFlight;
    private long _overloadsAtStart;

    /// <param name="options">The adaptive settings.</param>
    /// <param name="time">The clock windows are measured on.</param>
    /// <param name="initialLimit">The first centre.</param>
    /// <param name="overloads">A count that grows when the node was overloaded (the pool's acquire timeouts); null: none.</param>
    public GradientLimit(AdmissionOptions options, TimeProvider time, int initialLimit, Func<long>? overloads = null)
    {
        _overloads = overloads;
        MinimumGain = options.AdaptiveMinimumGain;
        Floor = options.AdaptiveFloor;
        Ceiling = options.AdaptiveCeiling;
        Step = options.AdaptiveStep;
        Smoothing = options.AdaptiveSmoothing;
        Window = options.AdaptiveWindow;
        MinSamples = options.AdaptiveMinSamples;
        _time = time;
        Reset(initialLimit);
    }

    public int Floor { get; }

    public int Ceiling { get; }

    /// <summary>How far above and below the centre the limit is held in each half of a cycle (0.15: 15 %).</summary>
    public double Step { get; }

    public double Smoothing { get; }

    /// <summary>The elasticity the centre settles at (<see cref="AdmissionOptions.AdaptiveMinimumGain"/>).</summary>
    public double MinimumGain { get; }

    /// <summary>Windows that ended with the node overloaded (the limit backed off).</summary>
    public long BackOffs { get; private set; }

    public TimeSpan Window { get; }

    public int MinSamples { get; }

    /// <summary>The limit the cycles move around: the knee as measured so far.</summary>
    public int Centre => (int)Math.Round(_centre);

    /// <summary>The limit in force: the centre for the first window after a reset, then above it in the first half of each cycle, below it in the second.</summary>
    public int Limit => _phase < 0 ? Math.Clamp(Centre, Floor, Ceiling) : _phase < 2 ? High : Low;

    private int High => Math.Clamp((int)Math.Round(_centre * (1 + Step)), Floor, Ceiling);

    private int Low => Math.Clamp((int)Math.Round(_centre * (1 - Step)), Floor, Ceiling);

    /// <summary>The smoothed elasticity of throughput to the limit (null before the first cycle measured).</summary>
    public double? Elasticity => _elasticity;

    /// <summary>The no-queue latency of requests of <paramref name="kind"/>, their weight as work (0 before its first window).</summary>
    public TimeSpan Baseline(int kind = 0) => TimeSpan.FromMilliseconds(_kinds[Math.Clamp(kind, 0, MaxKinds - 1)].BaselineMs);

    /// <summary>The last window's latency over its requests' baselines (1: as fast as without a queue; 0 before the first window compared).</summary>
    public double LastRatio { get; private set; }

    /// <summary>Windows closed so far.</summary>
    public long Windows { get; private set; }

    /// <summary>Starts again from <paramref name="limit"/> (clamped to floor and ceiling), keeping the baselines learnt so far.</summary>
    public void Reset(int limit)
    {
        _centre = Math.Clamp(limit, Floor, Ceiling);
        _phase = -1;
        _elasticity = null;
        StartWindow(_time.GetTimestamp());
    }

    /// <summary>One completed request of <paramref name="kind"/> (0 to <see cref="MaxKinds"/> - 1); true when it closed a window (the limit may have changed).</summary>
    public bool Sample(TimeSpan latency, int inFlightAtStart, int kind = 0)
    {
        if (inFlightAtStart > Limit)
        {
            // Admitted under the other half's higher limit: says nothing about this one.
            return false;
        }
        var now = _time.GetTimestamp();
        _samples++;
        ref var of = ref _kinds[Math.Clamp(kind, 0, MaxKinds - 1)];
        of.Count++;
        of.SumMs += latency.TotalMilliseconds;
        _maxInFlight = Math.Max(_maxInFlight, inFlightAtStart);
        var elapsed = _time.GetElapsedTime(_windowStart, now);
        if (_samples < MinSamples || elapsed < Window)
        {
            return false;
        }
        Windows++;
        if (_overloads?.Invoke() is { } overloads && overloads > _overloadsAtStart)
        {
            // The limit in force overloaded the node: a fifth below it, and a new cycle from there.
            BackOffs++;
            _centre = Math.Clamp(Math.Min(_centre, Limit) * Math.Exp(-MaxLogStep), Floor, Ceiling);
            _elasticity = null;
            _phase = -1;
            StartWindow(now);
            return true;
        }
        var saturated = _maxInFlight >= Limit / 2.0;
        // Work done per second: each request weighs what its kind takes without a queue.
        var work = WindowWork() / elapsed.TotalSeconds;
        switch (_phase)
        {
            case 1:
                (_highWork, _highSaturated) = (work, saturated);
                break;
            case 3:
                Climb(work, saturated);
                break;
        }
        // The weights stay the same through a cycle (both halves measured with the same baselines):
        // they move only once its second half is measured; a kind seen for the first time gets one at once.
        LearnBaselines(update: _phase is 3 or -1, evidence: !saturated || Limit <= Floor);
        StartWindow(now);
        _phase = (_phase + 1) % 4;
        return true;
    }

    private void Climb(double lowWork, bool lowSaturated)
    {
        if (!_highSaturated || !lowSaturated || _highWork <= 0 || lowWork <= 0 || High <= Low)
        {
            return;
        }
        var e = Math.Log(_highWork / lowWork) / Math.Log(High / (double)Low);
        _elasticity = _elasticity is { } before ? before + Smoothing * (e - before) : e;
        var step = Math.Clamp(Gain * (_elasticity.Value - MinimumGain), -MaxLogStep, MaxLogStep);
        _centre = Math.Clamp(_centre * Math.Exp(step), Floor, Ceiling);
    }

    // The window's requests as work (the sum of their kinds' baselines), and its latency over that
    // work (LastRatio). Kinds seen for the first time have no baseline yet and are left out.
    private double WindowWork()
    {
        double observed = 0, expected = 0;
        foreach (ref var kind in _kinds.AsSpan())
        {
            if (kind.Count > 0 && kind.BaselineMs > 0)
            {
                observed += kind.SumMs;
                expected += kind.Count * kind.BaselineMs;
            }
        }
        LastRatio = expected > 0 ? observed / expected : 0;
        return expected;
    }

    // Each kind's baseline from this window: the first window sets it; when it may be updated, a faster
    // window pulls it down (in proportion to how many requests say so, so that two lucky requests do
    // not); it rises only on evidence that the latency is not the gate's own queue.
    private void LearnBaselines(bool update, bool evidence)
    {
        foreach (ref var kind in _kinds.AsSpan())
        {
            if (kind.Count == 0)
            {
                continue;
            }
            var meanMs = kind.SumMs / kind.Count;
            var weight = Math.Min(1.0, kind.Count / (double)MinSamples);
            if (kind.BaselineMs <= 0)
            {
                kind.BaselineMs = meanMs;
            }
            else if (!update)
            {
                continue;
            }
            else if (meanMs < kind.BaselineMs)
            {
                kind.BaselineMs += (meanMs - kind.BaselineMs) * BaselineFall * weight;
            }
            else if (evidence)
            {
                kind.BaselineMs += (meanMs - kind.BaselineMs) * BaselineRise * weight;
            }
        }
    }

    private void StartWindow(long now)
    {
        _windowStart = now;
        _overloadsAtStart = _overloads?.Invoke() ?? 0;
        _samples = 0;
        _maxInFlight = 0;
        foreach (ref var kind in _kinds.AsSpan())
        {
            kind.Count = 0;
            kind.SumMs = 0;
        }
    }

    // One kind of request: its baseline, and this window's requests of it.
    private struct Kind
    {
        public double BaselineMs;
        public int Count;
        public double SumMs;
    }
}
