namespace ExamConsole.Api.Admission;

/// <summary>
/// The adaptive in-flight limit: a climb up the node's throughput curve to its top, the knee. It
/// perturbs the limit and observes (as a solar charger finds its maximum power point): around a
/// centre it holds the limit <see cref="AdmissionOptions.AdaptiveStep"/> above for two windows, then
/// as much below for two (<see cref="AdaptiveProbe.Around"/>; <see cref="AdaptiveProbe.Above"/> holds
/// it at the same two limits' ratio above the centre, then at the centre, and rests between cycles:
/// see "Rest and probe placement" below), and measures the work done in the second window of each (the first lets
/// the requests admitted at the other limit finish; a window lasts at least twice their latency). The
/// elasticity of throughput to the limit, the slope of ln(work) against ln(limit), is about 1 below
/// the knee (more in flight, more served), about 0 on the plateau, below 0 past it (more in flight,
/// less served). It is fitted by least squares over the measured windows of the last
/// <see cref="AdmissionOptions.AdaptiveFitCycles"/> cycles, with a trend in time, and the centre
/// moves by <c>exp(0.1 d)</c> each cycle, between the floor and the ceiling, where d is how far e is
/// from g, <see cref="AdmissionOptions.AdaptiveMinimumGain"/>, beyond the fit's standard error (0 when
/// e is within one standard error of g): up while more in flight still buys enough throughput, down
/// once it buys little (a plateau) or costs throughput, and not at all on what the fit cannot tell
/// from its noise. With g = 0 a plateau left the centre to the noise, which walked it up to the
/// ceiling on the 2-core node once its host used less CPU per request, until the pool ran out of
/// connections; with one cycle's measure and 4 times the gain, windows off by a third walked it down
/// to its floor; moved by every estimate (the standard error there is 0.6 to 1.4), it ran past the
/// plateau to 130 and 298 (BENCHMARKS.md, issue 17).
/// <para>
/// Overload: when the database pool timed out an acquisition during a window (<c>overloads</c>
/// counts them), the limit in force was too high whatever the throughput said (requests failing
/// fast look like throughput): the centre is set a fifth below that limit at once, and a new cycle
/// starts there, as TCP cuts its window on a loss. Once per loss episode, as TCP does: time-outs
/// in a window that still completed requests admitted before the last cut (or the operator's
/// release) are the earlier limit's, and neither back off again nor start a probe cycle.
/// </para>
/// <para>
/// Work: each completed request counts as the latency its kind (an endpoint: a login, a paper read, a
/// full-paper submit) has without a queue, its baseline. A window of submits is more work than one of
/// paper reads, so a change of mix between the two halves of a cycle is not read as a change of
/// throughput. Each kind's baseline falls towards a faster window and rises only
/// on evidence that the latency is not the gate's own queue (few in flight, or the limit at its floor).
/// </para>
/// <para>
/// Two weighings, and the centre moves only where both agree. A request's real cost (what it takes
/// of the node's capacity) lies between two measures the gate has: its kind's no-queue latency
/// overstates a write's (that latency includes waiting for a commit's flush, which a batch of commits
/// shares), and counting every request as one understates it against a cheap read. The gate admits
/// submits and saves before reads, so the mix served changes with the limit, and each weighing alone
/// drifted with it on the 2-core node in five-minute overloads: by work the centre walked down from 64
/// to 15 to 24 (reads starved), counted in requests it walked up to 85 to 153 (submit p99 doubled);
/// both served less than a fixed 64 (BENCHMARKS.md, issue 17). The elasticity is fitted both ways
/// (<see cref="Elasticity"/>, <see cref="RequestElasticity"/>); the centre moves when both are past the
/// minimum gain on the same side by more than their standard errors, by the smaller of the two, and
/// holds where they disagree: the evidence then depends on a cost the gate does not know.
/// </para>
/// <para>
/// Rest and probe placement (<see cref="AdmissionOptions.AdaptiveRestCycles"/>,
/// <see cref="AdmissionOptions.AdaptiveProbe"/>): in the seventh look the centre held near 64 and the
/// node still served a tenth less than a fixed 64, which we read (not established by a profile) as
/// the probes' own cost on a node that sheds at its knee: the low half leaves waiting reads longer in
/// the queue, the ones near its timeout are shed and come back. Resting at the centre between cycles probes a fraction of
/// the time (the fit spans as many probe cycles, so it takes longer to follow); probing above only
/// keeps the limit from ever dipping below where it rests. On the 2-core node, probing around every
/// cycle served 296 to 363 requests/s against 377 to 414 for a fixed 64; resting three cycles and
/// probing above, 436 to 530 against 453 to 491 (BENCHMARKS.md, issue 17).
/// </para>
/// <para>
/// Why not a latency gradient (Netflix's Gradient2, Envoy's filter), the first version: on the 2-core
/// node the load generator, PostgreSQL and the host share, latency grows long before throughput stops
/// growing (with group commit, more submits in flight make bigger batches), so a limit that holds
/// latency near its no-queue baseline sat at its floor while thousands queued and goodput fell to
/// 59 % of the best fixed limit's (BENCHMARKS.md, issue 17). Throughput is what the gate protects.
/// </para>
/// <para>
/// Demand: the limit decided what a window served only when most of its requests were admitted into
/// a full gate (the last free slot, nearly all of them from the queue); otherwise demand did. A probe
/// cycle starts only after a window at the centre that the limit decided, and a cycle moves the centre
/// only when its low probe's measured window was decided by the limit (its high probe's may be
/// decided by demand: the high limit then served all that came, which is what it is measured for).
/// Measured on demand alone, the two probes served the same and the centre walked down below what
/// the node was asked for: on a node with room to spare the limit started to queue requests that a
/// fixed 64 served at once, and its probes raised the in-flight peaks (adaptive's p99 was higher than
/// a fixed 64's in two of three pairs when 60 teachers/s did not overload the 2-core node;
/// BENCHMARKS.md, issue 17). A node that keeps up thus never leaves its centre.
/// </para>
/// Not thread-safe: the admission controller calls it under its own lock.
/// </summary>
public sealed class GradientLimit
{
    /// <summary>Kinds told apart; kinds past this share the last one (a kind is an endpoint, and an API has few).</summary>
    public const int MaxKinds = 64;

    /// <summary>
    /// How far one cycle moves the centre per unit of elasticity (log scale): an elasticity of -0.9 takes
    /// a tenth off a cycle. Small because the fit spans several cycles: with 0.4 it followed its own
    /// lag and swung between a third and twice the knee on a model server with noisy windows.
    /// </summary>
    private const double Gain = 0.1;

    /// <summary>The largest move of one cycle (log scale): about a fifth up or down.</summary>
    private const double MaxLogStep = 0.2;

    /// <summary>How fast a baseline falls towards a faster window: half way each window.</summary>
    private const double BaselineFall = 0.5;

    /// <summary>How fast it rises on evidence: slowly, about 10 windows to follow a new latency.</summary>
    private const double BaselineRise = 0.1;

    private readonly TimeProvider _time;
    private readonly long _origin;
    private readonly Func<long>? _overloads;
    private readonly Kind[] _kinds = new Kind[MaxKinds];
    private readonly Point[] _points;
    private int _pointCount;
    private int _pointNext;
    private double _centre;
    private int _phase;
    private int _restLeft;
    private double? _elasticity;
    private long _windowStart;
    private int _samples;
    private int _maxInFlight;
    private int _full;
    private Point? _highPoint;
    private long _overloadsAtStart;
    private long _limitCutAt;
    private int _stale;

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
        FitCycles = options.AdaptiveFitCycles;
        RestWindows = 4 * options.AdaptiveRestCycles;
        Probe = options.AdaptiveProbe;
        _points = new Point[2 * FitCycles];
        Window = options.AdaptiveWindow;
        WindowLength = Window;
        MinSamples = options.AdaptiveMinSamples;
        _time = time;
        _origin = time.GetTimestamp();
        Reset(initialLimit);
        // Nothing was admitted before the limit was created.
        _limitCutAt = long.MinValue;
    }

    public int Floor { get; }

    public int Ceiling { get; }

    /// <summary>How far above and below the centre the limit is held in each half of a cycle (0.15: 15 %); probing above only, the high probe is as far above the centre as these two are apart.</summary>
    public double Step { get; }

    /// <summary>How many cycles' measured windows the elasticity is fitted over (<see cref="AdmissionOptions.AdaptiveFitCycles"/>).</summary>
    public int FitCycles { get; }

    /// <summary>Windows the limit rests at its centre after each probe cycle (<see cref="AdmissionOptions.AdaptiveRestCycles"/>, four a cycle).</summary>
    public int RestWindows { get; }

    /// <summary>The elasticity the centre settles at (<see cref="AdmissionOptions.AdaptiveMinimumGain"/>).</summary>
    public double MinimumGain { get; }

    /// <summary>Windows that ended with the node overloaded (the limit backed off).</summary>
    public long BackOffs { get; private set; }

    /// <summary>The shortest window (<see cref="AdmissionOptions.AdaptiveWindow"/>).</summary>
    public TimeSpan Window { get; }

    /// <summary>The window in force: <see cref="Window"/>, or twice the mean latency of the last cycle's requests when longer (at most 20 windows).</summary>
    public TimeSpan WindowLength { get; private set; }

    private TimeSpan MaxWindowLength => Window * 20;

    public int MinSamples { get; }

    /// <summary>The limit the cycles move around: the knee as measured so far.</summary>
    public int Centre => (int)Math.Round(_centre);

    /// <summary>The limit in force: the centre for the first window after a reset, while resting between cycles and while demand stays under it, then above it in the first half of each cycle, and below it (Around) or at it (Above; below it only near the ceiling) in the second.</summary>
    public int Limit => _phase < 0 ? Math.Clamp(Centre, Floor, Ceiling) : _phase < 2 ? High : Low;

    /// <summary>Where the probes go (<see cref="AdmissionOptions.AdaptiveProbe"/>).</summary>
    public AdaptiveProbe Probe { get; }

    // The low probe: a step below the centre (Around) or the centre itself (Above). The probes stay a
    // whole step apart at the floor: with the centre there, the low probe is the floor and the high
    // one 35 % above it (clamped to the floor both, 8 and 9, they told nothing through the noise and
    // the limit stayed at its floor on the 2-core node). Above, they stay apart at the ceiling too:
    // the low probe goes no higher than the ceiling less the probes' spread, or with the centre near
    // the ceiling both would be clamped to it, the fit would find no spread between them, and the
    // centre would never move again (Around's probes there are still 15 % apart: 435 and 512).
    private double LowProbe => Probe == AdaptiveProbe.Above
        ? Math.Min(_centre, Ceiling * (1 - Step) / (1 + Step))
        : Math.Max(_centre, Floor / (1 - Step)) * (1 - Step);

    private int High => Math.Clamp((int)Math.Round(LowProbe * (1 + Step) / (1 - Step)), Floor, Ceiling);

    private int Low => Math.Clamp((int)Math.Round(LowProbe), Floor, Ceiling);

    /// <summary>The elasticity of throughput to the limit fitted over the last cycles (null before enough were measured).</summary>
    public double? Elasticity => _elasticity;

    /// <summary>The standard error of <see cref="Elasticity"/> from the fit's residuals: how far from the minimum gain it must be before the centre moves.</summary>
    public double ElasticityError { get; private set; }

    /// <summary>The elasticity of requests served (each counted as one) to the limit, fitted over the same windows (null before enough were measured).</summary>
    public double? RequestElasticity { get; private set; }

    /// <summary>The standard error of <see cref="RequestElasticity"/>.</summary>
    public double RequestElasticityError { get; private set; }

    /// <summary>The no-queue latency of requests of <paramref name="kind"/>, their weight as work (0 before its first window).</summary>
    public TimeSpan Baseline(int kind = 0) => TimeSpan.FromMilliseconds(_kinds[Math.Clamp(kind, 0, MaxKinds - 1)].BaselineMs);

    /// <summary>The last window's latency over its requests' baselines (1: as fast as without a queue; 0 before the first window compared).</summary>
    public double LastRatio { get; private set; }

    /// <summary>The last window's work per second: its requests' baselines added up, over its length (about the requests it would have held in flight without a queue).</summary>
    public double LastWork { get; private set; }

    /// <summary>Windows closed so far.</summary>
    public long Windows { get; private set; }

    /// <summary>Starts again from <paramref name="limit"/> (clamped to floor and ceiling), keeping the baselines learnt so far; the requests in flight were admitted under an earlier limit (see <see cref="Sample"/>).</summary>
    public void Reset(int limit)
    {
        _centre = Math.Clamp(limit, Floor, Ceiling);
        var now = _time.GetTimestamp();
        _limitCutAt = now;
        Restart();
        StartWindow(now);
    }

    /// <summary>One completed request of <paramref name="kind"/> (0 to <see cref="MaxKinds"/> - 1); true when it closed a window (the limit may have changed).</summary>
    public bool Sample(TimeSpan latency, int inFlightAtStart, int kind = 0)
    {
        var now = _time.GetTimestamp();
        _samples++;
        ref var of = ref _kinds[Math.Clamp(kind, 0, MaxKinds - 1)];
        // Every request completed is work done in this window, whatever limit admitted it: leaving out
        // those admitted under the high half's limit (the climb did, from its first version) took work
        // from the low half only, and it read more in flight as more served (BENCHMARKS.md, issue 17).
        of.Done++;
        var limit = Limit;
        if (inFlightAtStart <= limit)
        {
            // Its latency is this limit's; one admitted under the other half's higher limit says nothing of it.
            of.Count++;
            of.SumMs += latency.TotalMilliseconds;
        }
        _maxInFlight = Math.Max(_maxInFlight, inFlightAtStart);
        if (inFlightAtStart >= limit)
        {
            _full++;
        }
        if (_limitCutAt != long.MinValue && _time.GetElapsedTime(_limitCutAt, now) < latency)
        {
            // Admitted before the last back-off (or the operator's release): under an earlier limit.
            _stale++;
        }
        var elapsed = _time.GetElapsedTime(_windowStart, now);
        if (_samples < MinSamples || elapsed < WindowLength)
        {
            return false;
        }
        Windows++;
        // Time-outs while requests admitted under an earlier, higher limit are still completing are
        // that limit's, not this one's: a back-off waits for a window none of whose requests was
        // admitted before the last one. Released at 256 on the 2-core node, the requests still in
        // flight from 256 timed out for seconds after each cut: five back-offs in 8 s took the limit
        // to 42 (BENCHMARKS.md, issue 17), as TCP cuts its window once per loss episode, not per loss.
        if (_stale == 0 && _overloads?.Invoke() is { } overloads && overloads > _overloadsAtStart)
        {
            // The limit in force overloaded the node: a fifth below it, and a new cycle from there. The
            // next high probe stays under the limit that overloaded: Above's is (1 + s) / (1 - s) over
            // the centre, so its centre goes a step further down (to where Around's low probe goes);
            // a fifth below an overloading rest, its high probe was 11 % over the limit that overloaded.
            BackOffs++;
            var overloaded = Probe == AdaptiveProbe.Above ? Limit * (1 - Step) : Limit;
            _centre = Math.Clamp(Math.Min(_centre, overloaded) * Math.Exp(-MaxLogStep), Floor, Ceiling);
            _limitCutAt = now;
            Restart();
            StartWindow(now);
            return true;
        }
        var saturated = _maxInFlight >= Limit / 2.0;
        // Most of the window's requests were admitted into a full gate: the limit, not demand, decided what it served.
        var bound = 2 * _full >= _samples;
        // Work done per second (each request weighs what its kind takes without a queue), and requests.
        var (windowWork, requests) = WindowWork();
        var work = windowWork / elapsed.TotalSeconds;
        LastWork = work / 1000;
        var point = work > 0 ? new Point(Math.Log(Limit), Math.Log(work), Math.Log(requests / elapsed.TotalSeconds), _time.GetElapsedTime(_origin, now).TotalSeconds) : (Point?)null;
        if (_phase == 1)
        {
            // The high probe's measured window (the second of its half), kept until the low one's.
            _highPoint = point;
        }
        else if (_phase == 3 && bound && _highPoint is { } high && point is { } low)
        {
            // A measured cycle: the low probe's window was the limit's to decide.
            AddPoint(high);
            AddPoint(low);
            Climb();
        }
        // The weights stay the same through a cycle (both halves measured with the same baselines):
        // they move only once its second half is measured; a kind seen for the first time gets one at once.
        LearnBaselines(update: _phase is 3 or -1, evidence: !saturated || Limit <= Floor);
        if (_phase is 3 or -1)
        {
            WindowLength = NextWindowLength();
        }
        // A probe cycle starts only once the requests admitted under an earlier limit have left.
        var stale = _stale > 0;
        StartWindow(now);
        NextPhase(bound && !stale);
        return true;
    }

    private void AddPoint(Point point)
    {
        _points[_pointNext] = point;
        _pointNext = (_pointNext + 1) % _points.Length;
        _pointCount = Math.Min(_pointCount + 1, _points.Length);
    }

    // The elasticity is the slope of ln(work) against ln(limit) over the last FitCycles cycles'
    // measured windows, fitted together with a straight line in time: a load that rises or falls
    // through the cycles (arrivals come in waves) is taken out instead of being read as an answer to
    // the limit. One pair of windows a cycle was too noisy on the 2-core node (its elasticity swung
    // between -3.5 and +1.9 and walked the limit to its floor; BENCHMARKS.md, issue 17).
    private void Climb()
    {
        if (_pointCount < _points.Length / 2 || Fit(static p => p.Y) is not var (e, error) || Fit(static p => p.Z) is not var (perRequest, perRequestError))
        {
            return;
        }
        (_elasticity, ElasticityError) = (e, error);
        (RequestElasticity, RequestElasticityError) = (perRequest, perRequestError);
        // The centre moves only on what both weighings tell apart from their noise, and only as far as
        // the more cautious of the two: a request's real cost lies between the two (see the summary).
        var (byWork, byRequests) = (Evidence(e, error), Evidence(perRequest, perRequestError));
        var evidence = Math.Sign(byWork) == Math.Sign(byRequests) ? Math.Sign(byWork) * Math.Min(Math.Abs(byWork), Math.Abs(byRequests)) : 0;
        var step = Math.Clamp(Gain * evidence, -MaxLogStep, MaxLogStep);
        _centre = Math.Clamp(_centre * Math.Exp(step), Floor, Ceiling);
    }

    // Only what the fit tells apart from its own noise moves the centre: the distance from the minimum
    // gain less one standard error (with fewer than 4 points the error is infinite: no evidence). On a
    // plateau the noise walks the centre far less (GradientLimitTests: 44 to 225 instead of 24 to 512).
    private double Evidence(double elasticity, double error) =>
        Math.Sign(elasticity - MinimumGain) * Math.Max(0, Math.Abs(elasticity - MinimumGain) - error);

    // Least squares of y = a + e x + b t, with the standard error of e; null when the limits measured
    // do not tell e from the trend (all at one limit, or the limit moving with time only).
    private (double Elasticity, double Error)? Fit(Func<Point, double> response)
    {
        var points = _points.AsSpan(0, _pointCount);
        double mx = 0, my = 0, mt = 0;
        foreach (var p in points)
        {
            (mx, my, mt) = (mx + p.X, my + response(p), mt + p.T);
        }
        (mx, my, mt) = (mx / points.Length, my / points.Length, mt / points.Length);
        double xx = 0, xt = 0, tt = 0, xy = 0, ty = 0;
        foreach (var p in points)
        {
            var (x, y, t) = (p.X - mx, response(p) - my, p.T - mt);
            (xx, xt, tt, xy, ty) = (xx + x * x, xt + x * t, tt + t * t, xy + x * y, ty + t * y);
        }
        var det = xx * tt - xt * xt;
        // The limits' spread left once the trend is taken out must be a fair part of the probes'
        // own (a quarter of each point's squared half-step): otherwise e is the noise's.
        var halfStep = Math.Log((1 + Step) / (1 - Step)) / 2;
        if (tt <= 0 || det / tt < points.Length * halfStep * halfStep / 4)
        {
            return null;
        }
        var e = (xy * tt - ty * xt) / det;
        var b = (ty * xx - xy * xt) / det;
        double residuals = 0;
        foreach (var p in points)
        {
            var r = response(p) - my - e * (p.X - mx) - b * (p.T - mt);
            residuals += r * r;
        }
        // Three parameters fitted: the residuals' variance over n - 3, and e's variance from it.
        var error = points.Length > 3 ? Math.Sqrt(residuals / (points.Length - 3) * tt / det) : double.PositiveInfinity;
        return (e, error);
    }

    // After a cycle's second half the limit rests at its centre for RestWindows windows (phase -1,
    // as after a reset), then the next cycle starts once a window at the centre was the limit's to
    // decide (bound): the probes' cost is paid a fraction of the time, never while demand stays under
    // the limit, and the rest windows are not measured (the fit needs the two probes' limits).
    private void NextPhase(bool bound)
    {
        if (_phase == 3 && (RestWindows > 0 || !bound))
        {
            (_phase, _restLeft) = (-1, Math.Max(0, RestWindows - 1));
        }
        else if (_phase == -1 && _restLeft > 0)
        {
            _restLeft--;
        }
        else if (_phase == -1 && !bound)
        {
            // Demand under the centre: nothing to learn by probing, and the high probe's peaks to pay.
        }
        else
        {
            _phase = (_phase + 1) % 4;
        }
    }

    private void Restart()
    {
        _phase = -1;
        _restLeft = 0;
        _elasticity = null;
        ElasticityError = 0;
        RequestElasticity = null;
        RequestElasticityError = 0;
        _pointCount = 0;
        _pointNext = 0;
        _highPoint = null;
    }

    // The window's requests as work (the sum of their kinds' baselines) and counted as one each, and
    // its latency over that work (LastRatio). Kinds seen for the first time have no baseline yet and
    // are left out of both.
    private (double Work, int Requests) WindowWork()
    {
        double observed = 0, expected = 0, work = 0;
        var requests = 0;
        foreach (ref var kind in _kinds.AsSpan())
        {
            if (kind.BaselineMs > 0)
            {
                observed += kind.SumMs;
                expected += kind.Count * kind.BaselineMs;
                work += kind.Done * kind.BaselineMs;
                requests += kind.Done;
            }
        }
        LastRatio = expected > 0 ? observed / expected : 0;
        return (work, requests);
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

    // A window at least twice as long as a request takes: the first window of each half must let the
    // requests admitted under the other half's limit finish before the second is measured (on the
    // 2-core node under overload latencies reached 10 to 40 times their baselines).
    private TimeSpan NextWindowLength()
    {
        double sumMs = 0;
        var count = 0;
        foreach (ref var kind in _kinds.AsSpan())
        {
            (sumMs, count) = (sumMs + kind.SumMs, count + kind.Count);
        }
        var twice = count > 0 ? TimeSpan.FromMilliseconds(2 * sumMs / count) : TimeSpan.Zero;
        return TimeSpan.FromTicks(Math.Clamp(twice.Ticks, Window.Ticks, MaxWindowLength.Ticks));
    }

    private void StartWindow(long now)
    {
        _windowStart = now;
        _overloadsAtStart = _overloads?.Invoke() ?? 0;
        _samples = 0;
        _maxInFlight = 0;
        _full = 0;
        _stale = 0;
        foreach (ref var kind in _kinds.AsSpan())
        {
            kind.Done = 0;
            kind.Count = 0;
            kind.SumMs = 0;
        }
    }

    // A measured window: ln(limit), ln(work per second), ln(requests per second), seconds since the limit was created.
    private readonly record struct Point(double X, double Y, double Z, double T);

    // One kind of request: its baseline, and this window's requests of it: all completed (Done), and
    // those admitted under the limit in force (Count, SumMs: their latency).
    private struct Kind
    {
        public double BaselineMs;
        public int Done;
        public int Count;
        public double SumMs;
    }
}
