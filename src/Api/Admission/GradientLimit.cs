namespace ExamConsole.Api.Admission;

/// <summary>
/// The adaptive in-flight limit: Netflix's Gradient2 (concurrency-limits) with a baseline that
/// does not creep. Each completed request reports its latency and how many were in flight when it
/// started; once a window is full (<see cref="AdmissionOptions.AdaptiveWindow"/> and
/// <see cref="AdmissionOptions.AdaptiveMinSamples"/>), its mean latency (the short RTT) is
/// compared with the baseline (the long RTT):
/// <c>limit = clamp(limit * (1 - s) + s * (limit * gradient + sqrt(limit)), floor, ceiling)</c>,
/// gradient = clamp(tolerance * baseline / short, 0.5, 1). While latency stays within the tolerance
/// the limit grows by a queue's worth (sqrt) each window; past it the limit shrinks, at most by
/// half a window. On a server whose latency grows with what it holds, this settles where latency
/// is tolerance times the baseline, plus a small queue: the knee, found and held.
/// <para>
/// The baseline is the departure from Gradient2. Its long RTT is an average of recent windows, so
/// under sustained load it follows the short RTT up and the limit drifts towards the ceiling. Here
/// the baseline falls towards a faster window, but rises only on evidence that the latency is not
/// our own queue: a window with less than half the limit in flight (the gate was not the
/// constraint), or one with the limit at its floor (nothing more to shed). That alone cannot
/// correct a baseline learnt under overload (a start far above the knee), nor follow a server that
/// got slower for every request while it stays busy; so, as Envoy's adaptive concurrency filter
/// does, the limit is halved for one window every <see cref="AdmissionOptions.AdaptiveProbeInterval"/>
/// while the gate is full, and the baseline moves half way to the latency of the requests
/// admitted at that half. Past the knee a probe costs nothing (the server is saturated at half the limit too);
/// at the knee it serves fewer for one window in sixty.
/// </para>
/// <para>
/// Latency is compared kind by kind (a kind is an endpoint: a login, a paper read, a full-paper
/// submit), because the mix moves. Each kind has its own baseline, and a window's short RTT over the
/// baseline is the sum of its latencies over the sum of its kinds' baselines for the same requests:
/// how much slower this window's requests were than the same requests without a queue. With one
/// baseline for all, the first version held a baseline learnt from the reads of the exam's start
/// and, once saves and submits (ten times longer) took the slots that the priorities give them, read
/// the change of mix as an overload and cut the limit to its floor (BENCHMARKS.md, issue 17).
/// </para>
/// Not thread-safe: the admission controller calls it under its own lock.
/// </summary>
public sealed class GradientLimit
{
    /// <summary>Gradient2's bound: one window never takes more than half the limit away (an outlier is not an overload).</summary>
    private const double MinGradient = 0.5;

    /// <summary>How fast the baseline falls towards a faster window: half way each window, so one odd window moves it, not all the way.</summary>
    private const double BaselineFall = 0.5;

    /// <summary>How fast it rises on evidence (see the class remarks): slowly, about 10 windows to follow a new latency.</summary>
    private const double BaselineRise = 0.1;

    /// <summary>A probe moves the baseline half way to what it measured: one noisy probe window does not set it alone.</summary>
    private const double ProbeWeight = 0.5;

    /// <summary>Kinds told apart; kinds past this share the last one (a kind is an endpoint, and an API has few).</summary>
    public const int MaxKinds = 64;

    private readonly TimeProvider _time;
    private readonly Kind[] _kinds = new Kind[MaxKinds];
    private double _limit;
    private bool _probing;
    private int _probeLimit;
    private long _nextProbe;
    private long _windowStart;
    private int _samples;
    private int _maxInFlight;

    public GradientLimit(AdmissionOptions options, TimeProvider time, int initialLimit)
    {
        Floor = options.AdaptiveFloor;
        Ceiling = options.AdaptiveCeiling;
        Tolerance = options.AdaptiveTolerance;
        Smoothing = options.AdaptiveSmoothing;
        Window = options.AdaptiveWindow;
        MinSamples = options.AdaptiveMinSamples;
        ProbeInterval = options.AdaptiveProbeInterval;
        _time = time;
        Reset(initialLimit);
    }

    public int Floor { get; }

    public int Ceiling { get; }

    public double Tolerance { get; }

    public double Smoothing { get; }

    public TimeSpan Window { get; }

    public int MinSamples { get; }

    public TimeSpan ProbeInterval { get; }

    /// <summary>The limit in force (half of it during a probe).</summary>
    public int Limit => _probing ? _probeLimit : (int)_limit;

    /// <summary>True during a probe window: the limit is halved to measure the baseline.</summary>
    public bool Probing => _probing;

    /// <summary>The no-queue latency of requests of <paramref name="kind"/> the windows are compared with (0 before its first full window).</summary>
    public TimeSpan Baseline(int kind = 0) => TimeSpan.FromMilliseconds(_kinds[Math.Clamp(kind, 0, MaxKinds - 1)].BaselineMs);

    /// <summary>The last window's latency over its requests' baselines (1: as fast as without a queue; 0 before the first window compared).</summary>
    public double LastRatio { get; private set; }

    /// <summary>Starts again from <paramref name="limit"/> (clamped to floor and ceiling), keeping the baseline learnt so far.</summary>
    public void Reset(int limit)
    {
        _limit = Math.Clamp(limit, Floor, Ceiling);
        _probing = false;
        var now = _time.GetTimestamp();
        _nextProbe = now + ProbeTicks;
        StartWindow(now);
    }

    private long ProbeTicks => (long)(ProbeInterval.TotalSeconds * _time.TimestampFrequency);

    /// <summary>Windows closed so far (each one compared and, unless it held, moved the limit).</summary>
    public long Windows { get; private set; }

    /// <summary>One completed request of <paramref name="kind"/> (0 to <see cref="MaxKinds"/> - 1); true when it closed a window (the limit may have changed).</summary>
    public bool Sample(TimeSpan latency, int inFlightAtStart, int kind = 0)
    {
        if (_probing && inFlightAtStart > _probeLimit)
        {
            // Admitted before the probe, at the full limit: says nothing about latency at half of it.
            return false;
        }
        var now = _time.GetTimestamp();
        _samples++;
        ref var of = ref _kinds[Math.Clamp(kind, 0, MaxKinds - 1)];
        of.Count++;
        of.SumMs += latency.TotalMilliseconds;
        _maxInFlight = Math.Max(_maxInFlight, inFlightAtStart);
        if (_samples < MinSamples || _time.GetElapsedTime(_windowStart, now) < Window)
        {
            return false;
        }
        Windows++;
        var ratio = WindowRatio();
        var probed = _probing;
        var appLimited = _maxInFlight < _limit / 2;
        LearnBaselines(probed, appLimited || Limit <= Floor);
        StartWindow(now);
        if (probed)
        {
            _probing = false;
        }
        else if (Update(ratio, appLimited) && now >= _nextProbe)
        {
            _probing = true;
            _probeLimit = Math.Max(Floor, (int)(_limit / 2));
            _nextProbe = now + ProbeTicks;
        }
        return true;
    }

    // The window's latency over what its requests took without a queue, kind by kind (the mix moves).
    // Kinds seen for the first time have no baseline yet and are left out; 0 when nothing was compared.
    private double WindowRatio()
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
        return LastRatio;
    }

    // Each kind's baseline from this window: the first window sets it; a faster window pulls it down
    // (in proportion to how many requests say so, so that two lucky requests do not); it rises only
    // on evidence that the latency is not the gate's own queue, or half way to a probe's measure.
    private void LearnBaselines(bool probe, bool evidence)
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
            else if (probe)
            {
                kind.BaselineMs += (meanMs - kind.BaselineMs) * ProbeWeight * weight;
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

    // Returns whether the gate was full (the limit, not demand, decided how many were in flight).
    private bool Update(double ratio, bool appLimited)
    {
        // Too few in flight to tell anything about the limit (Gradient2's rule), or nothing to compare: hold it.
        if (appLimited || ratio <= 0)
        {
            return false;
        }
        var gradient = Math.Clamp(Tolerance / ratio, MinGradient, 1.0);
        var target = _limit * gradient + Math.Sqrt(_limit);
        _limit = Math.Clamp(_limit * (1 - Smoothing) + target * Smoothing, Floor, Ceiling);
        return true;
    }

    private void StartWindow(long now)
    {
        _windowStart = now;
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
