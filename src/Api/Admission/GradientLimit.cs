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

    private readonly TimeProvider _time;
    private double _limit;
    private bool _probing;
    private int _probeLimit;
    private long _nextProbe;
    private double _baselineMs;
    private long _windowStart;
    private int _samples;
    private double _latencySumMs;
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

    /// <summary>The no-queue latency the windows are compared with (0 before the first full window).</summary>
    public TimeSpan Baseline => TimeSpan.FromMilliseconds(_baselineMs);

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

    /// <summary>One completed request; true when it closed a window and the limit changed.</summary>
    public bool Sample(TimeSpan latency, int inFlightAtStart)
    {
        if (_probing && inFlightAtStart > _probeLimit)
        {
            // Admitted before the probe, at the full limit: says nothing about latency at half of it.
            return false;
        }
        var now = _time.GetTimestamp();
        _samples++;
        _latencySumMs += latency.TotalMilliseconds;
        _maxInFlight = Math.Max(_maxInFlight, inFlightAtStart);
        if (_samples < MinSamples || _time.GetElapsedTime(_windowStart, now) < Window)
        {
            return false;
        }
        var shortMs = _latencySumMs / _samples;
        var maxInFlight = _maxInFlight;
        StartWindow(now);
        var before = Limit;
        if (_probing)
        {
            _probing = false;
            _baselineMs += (shortMs - _baselineMs) * ProbeWeight;
        }
        else if (Update(shortMs, maxInFlight) && now >= _nextProbe)
        {
            _probing = true;
            _probeLimit = Math.Max(Floor, (int)(_limit / 2));
            _nextProbe = now + ProbeTicks;
        }
        return Limit != before;
    }

    // Returns whether the gate was full (the limit, not demand, decided how many were in flight).
    private bool Update(double shortMs, int maxInFlight)
    {
        var appLimited = maxInFlight < _limit / 2;
        if (_baselineMs <= 0)
        {
            _baselineMs = shortMs;
        }
        else if (shortMs < _baselineMs)
        {
            _baselineMs += (shortMs - _baselineMs) * BaselineFall;
        }
        else if (appLimited || Limit <= Floor)
        {
            _baselineMs += (shortMs - _baselineMs) * BaselineRise;
        }
        // Too few in flight to tell anything about the limit (Gradient2's rule): hold it.
        if (appLimited || shortMs <= 0)
        {
            return false;
        }
        var gradient = Math.Clamp(Tolerance * _baselineMs / shortMs, MinGradient, 1.0);
        var target = _limit * gradient + Math.Sqrt(_limit);
        _limit = Math.Clamp(_limit * (1 - Smoothing) + target * Smoothing, Floor, Ceiling);
        return true;
    }

    private void StartWindow(long now)
    {
        _windowStart = now;
        _samples = 0;
        _latencySumMs = 0;
        _maxInFlight = 0;
    }
}
