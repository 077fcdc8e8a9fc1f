using System.Diagnostics.Metrics;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ExamConsole.Api.Admission;

/// <summary>
/// A concurrency limiter with a bounded queue, two priorities and limits that change at run time
/// (System.Threading.RateLimiting's own limiters are fixed once built). A full queue makes room
/// for a high-priority request by shedding the newest low-priority waiter. Every wait is bounded
/// by <see cref="AdmissionOptions.QueueTimeout"/>. In adaptive mode the in-flight limit follows
/// the throughput of the requests it admits (<see cref="GradientLimit"/>): each lease reports, when
/// it is released, how long it was held and how many were in flight when it was granted. Priorities
/// are the same in both modes: the limit decides how many are served, the queues who goes next. Each
/// limiter also names the kind of request it admits (an endpoint), so that the adaptive limit
/// weighs each request by its kind's own no-queue latency.
/// </summary>
public sealed partial class AdmissionController : IAdmissionLimits, IDisposable
{
    private readonly Lock _gate = new();
    private readonly LinkedList<Waiter>[] _queues = [new(), new()];
    private readonly PriorityLimiter[] _limiters;
    private readonly TimeProvider _time;
    private readonly Counter<long> _rejectedCounter;
    private readonly GradientLimit _adaptive;
    private readonly Dictionary<string, int> _kinds = new(StringComparer.Ordinal);
    private readonly ILogger<AdmissionController> _logger;
    private AdmissionMode _mode;
    private int _changes;
    private int? _maxConcurrent;
    private int? _queueLimit;
    private int _inFlight;
    private long _rejected;
    private long _admitted;
    private long _idleSince;

    // Admissions per second over about the last second (averaged with the one before), for Retry-After.
    private long _rateSampleAt;
    private long _rateSampleAdmitted;
    private double _admittedPerSecond;

    public AdmissionController(IOptions<AdmissionOptions> options, IMeterFactory meterFactory, TimeProvider time, ILogger<AdmissionController> logger, IOverloadSignal? overload = null)
    {
        _time = time;
        _logger = logger;
        _maxConcurrent = options.Value.MaxConcurrent;
        _mode = options.Value.Mode;
        _adaptive = new GradientLimit(options.Value, time, options.Value.MaxConcurrent ?? options.Value.AdaptiveCeiling, overload is null ? null : () => overload.Count);
        if (_mode == AdmissionMode.Adaptive)
        {
            _maxConcurrent = _adaptive.Limit;
        }
        _queueLimit = options.Value.QueueLimit;
        QueueTimeout = options.Value.QueueTimeout;
        RetryAfter = options.Value.RetryAfter;
        MaxRetryAfter = options.Value.MaxRetryAfter;
        _idleSince = time.GetTimestamp();
        _rateSampleAt = _idleSince;
        _limiters = [new PriorityLimiter(this, AdmissionPriority.High, 0), new PriorityLimiter(this, AdmissionPriority.Low, 0)];
        var meter = meterFactory.Create("ExamConsole.Admission");
        meter.CreateObservableGauge("examconsole.admission.in_flight", () => State().InFlight, "{request}", "Teacher requests being served");
        meter.CreateObservableGauge("examconsole.admission.queued", () => State().Queued, "{request}", "Teacher requests waiting for a slot");
        meter.CreateObservableGauge("examconsole.admission.limit", LimitMeasurement, "{request}", "Teacher requests allowed in flight at once (none while no limit)");
        _rejectedCounter = meter.CreateCounter<long>("examconsole.admission.rejected", "{request}", "Teacher requests shed with 503");
    }

    public TimeSpan QueueTimeout { get; }

    /// <summary>The shortest Retry-After a shed request is given.</summary>
    public TimeSpan RetryAfter { get; }

    /// <summary>The longest Retry-After before its spread.</summary>
    public TimeSpan MaxRetryAfter { get; }

    /// <summary>
    /// How long a request shed now should wait: as long as the gate needs to serve what it holds (in
    /// flight and queued) at the rate it has been admitting, between <see cref="RetryAfter"/> and
    /// <see cref="MaxRetryAfter"/>, in whole seconds (the header's unit); plus a random share of up
    /// to as much again, so that clients shed together, which may all honour the header to the
    /// second, do not come back together. A fixed 1 s brought every shed client back at once in the
    /// overload rehearsals (BENCHMARKS.md).
    /// </summary>
    public TimeSpan RetryAfterNow()
    {
        double backlog;
        double rate;
        lock (_gate)
        {
            SampleRate();
            backlog = _inFlight + _queues[0].Count + _queues[1].Count;
            rate = _admittedPerSecond;
        }
        var drain = rate > 0 ? TimeSpan.FromSeconds(backlog / rate) : RetryAfter;
        var wait = drain < RetryAfter ? RetryAfter : drain > MaxRetryAfter ? MaxRetryAfter : drain;
        var seconds = Math.Ceiling(wait.TotalSeconds);
        return TimeSpan.FromSeconds(seconds + Random.Shared.Next(0, (int)seconds + 1));
    }

    // Under _gate, on every admission and every shed: a new rate once a second has passed. After a
    // quiet spell (no sample for 5 s) the window restarts instead of averaging the silence in.
    private void SampleRate()
    {
        var now = _time.GetTimestamp();
        var elapsed = _time.GetElapsedTime(_rateSampleAt, now);
        if (elapsed < TimeSpan.FromSeconds(1))
        {
            return;
        }
        if (elapsed <= TimeSpan.FromSeconds(5))
        {
            var measured = (_admitted - _rateSampleAdmitted) / elapsed.TotalSeconds;
            _admittedPerSecond = _admittedPerSecond == 0 ? measured : (_admittedPerSecond + measured) / 2;
        }
        _rateSampleAt = now;
        _rateSampleAdmitted = _admitted;
    }

    /// <summary>The limiter that admits requests of one priority (shares this gate's slots and queue).</summary>
    public RateLimiter For(AdmissionPriority priority) => _limiters[(int)priority];

    /// <summary>
    /// A limiter that admits requests of one priority and one kind (an endpoint, e.g. "POST
    /// /api/attempts/{attemptId}/submit"), sharing this gate's slots and queue; the adaptive limit
    /// weighs each request by its kind's no-queue latency. The first
    /// <see cref="GradientLimit.MaxKinds"/> - 2 kinds are told apart; later ones share one.
    /// </summary>
    public RateLimiter For(AdmissionPriority priority, string kind) => new PriorityLimiter(this, priority, KindOf(kind));

    private int KindOf(string name)
    {
        lock (_gate)
        {
            if (!_kinds.TryGetValue(name, out var kind))
            {
                // 0 is the unnamed kind; the last index is shared by every kind past the first ones.
                kind = Math.Min(_kinds.Count + 1, GradientLimit.MaxKinds - 1);
                if (kind < GradientLimit.MaxKinds - 1)
                {
                    _kinds[name] = kind;
                }
            }
            return kind;
        }
    }

    public AdmissionState State()
    {
        lock (_gate)
        {
            return new AdmissionState(_maxConcurrent, _queueLimit, _inFlight, _queues[0].Count + _queues[1].Count, _rejected, _admitted,
                _mode, _adaptive.Floor, _adaptive.Ceiling, _changes);
        }
    }

    private IEnumerable<Measurement<int>> LimitMeasurement() =>
        State().MaxConcurrent is { } limit ? [new Measurement<int>(limit)] : [];

    /// <summary>Pins a fixed limit (null lifts it), in force at once: waiters are admitted into new room, or shed when the queue shrank.</summary>
    public AdmissionState Update(int? maxConcurrent, int? queueLimit) => Update(AdmissionMode.Fixed, maxConcurrent, queueLimit);

    /// <summary>
    /// New limits, in force at once. Fixed: <paramref name="maxConcurrent"/> is the limit (null: none).
    /// Adaptive: the limit follows measured throughput from <paramref name="maxConcurrent"/>, or from the limit in
    /// force when null (the ceiling when there was none), within the floor and the ceiling.
    /// </summary>
    public AdmissionState Update(AdmissionMode mode, int? maxConcurrent, int? queueLimit)
    {
        var shed = new List<Waiter>();
        var admit = new List<Waiter>();
        lock (_gate)
        {
            _mode = mode;
            _changes++;
            if (mode == AdmissionMode.Adaptive)
            {
                _adaptive.Reset(maxConcurrent ?? _maxConcurrent ?? _adaptive.Ceiling);
                _maxConcurrent = _adaptive.Limit;
            }
            else
            {
                _maxConcurrent = maxConcurrent;
            }
            _queueLimit = queueLimit;
            admit.AddRange(DequeueAdmittable());
            while (queueLimit is { } limit && _queues[0].Count + _queues[1].Count > limit)
            {
                var from = _queues[1].Count > 0 ? _queues[1] : _queues[0];
                shed.Add(from.Last!.Value);
                from.RemoveLast();
            }
        }
        foreach (var waiter in admit)
        {
            waiter.Grant();
        }
        foreach (var waiter in shed)
        {
            Reject(waiter);
        }
        return State();
    }

    // ASP.NET Core's rate limiting middleware attempts first and, when that finds no room, queues the
    // request through AcquireAsync, which counts what it sheds. A failed attempt is therefore not a
    // shed: counted here, every request that queued and was then served counted as shed too (the
    // node counted 25,829 in a run where the load generator got no 503 at all; BENCHMARKS.md, issue 17).
    private RateLimitLease TryAcquire(AdmissionPriority priority, int kind)
    {
        lock (_gate)
        {
            if (HasRoom())
            {
                return Admit(kind);
            }
        }
        return Rejected();
    }

    private ValueTask<RateLimitLease> AcquireAsync(AdmissionPriority priority, int kind, CancellationToken cancellationToken)
    {
        Waiter? waiter = null;
        Waiter? evicted = null;
        lock (_gate)
        {
            if (HasRoom() && _queues[0].Count + _queues[1].Count == 0)
            {
                return ValueTask.FromResult(Admit(kind));
            }
            var queued = _queues[0].Count + _queues[1].Count;
            if (_queueLimit is { } limit && queued >= limit)
            {
                if (priority == AdmissionPriority.High && _queues[1].Count > 0)
                {
                    evicted = _queues[1].Last!.Value;
                    _queues[1].RemoveLast();
                }
                else
                {
                    _rejected++;
                    _rejectedCounter.Add(1);
                }
            }
            if (evicted is not null || _queueLimit is not { } full || queued < full)
            {
                waiter = new Waiter(this, priority, kind);
                waiter.Node = _queues[(int)priority].AddLast(waiter);
            }
        }
        if (waiter is null)
        {
            // Shed: its Retry-After is worked out outside the gate's lock.
            return ValueTask.FromResult(Rejected());
        }
        if (evicted is not null)
        {
            Reject(evicted);
        }
        waiter.Start(QueueTimeout, _time, cancellationToken);
        return new ValueTask<RateLimitLease>(waiter.Task);
    }

    private bool HasRoom() => _maxConcurrent is not { } max || _inFlight < max;

    private RateLimitLease Admit(int kind)
    {
        _inFlight++;
        _admitted++;
        SampleRate();
        return new Lease(this, acquired: true, TimeSpan.Zero, _time.GetTimestamp(), _inFlight, kind);
    }

    // A lease refused (counted, when it is a shed, by the caller), with the Retry-After worked out now.
    private RateLimitLease Rejected() => new Lease(null, acquired: false, RetryAfterNow());

    // A lease of a kind granted at startedAt with inFlightAtStart in flight (counting itself) is
    // returned; the adaptive limit learns from it. A grant nobody took (no startedAt) teaches nothing.
    private void Release(long? startedAt, int inFlightAtStart, int kind)
    {
        List<Waiter> admit;
        lock (_gate)
        {
            _inFlight--;
            if (_mode == AdmissionMode.Adaptive && startedAt is { } start && _adaptive.Sample(_time.GetElapsedTime(start), inFlightAtStart, kind))
            {
                _maxConcurrent = _adaptive.Limit;
                if (_logger.IsEnabled(LogLevel.Debug))
                {
                    LogWindow(_adaptive.Windows, (long)_adaptive.WindowLength.TotalMilliseconds, _adaptive.LastRatio, _adaptive.LastWork, _adaptive.Limit, _adaptive.Centre, _adaptive.Elasticity ?? double.NaN, _adaptive.ElasticityError, _adaptive.RequestElasticity ?? double.NaN, _adaptive.RequestElasticityError, _inFlight, _queues[0].Count + _queues[1].Count, _adaptive.BackOffs);
                }
            }
            if (_inFlight == 0)
            {
                _idleSince = _time.GetTimestamp();
            }
            admit = DequeueAdmittable();
        }
        foreach (var waiter in admit)
        {
            waiter.Grant();
        }
    }

    // Under _gate: the waiters that fit now, high priority first; their slots are taken here.
    private List<Waiter> DequeueAdmittable()
    {
        var admit = new List<Waiter>();
        while (HasRoom() && (_queues[0].First ?? _queues[1].First) is { } node)
        {
            node.List!.Remove(node);
            _inFlight++;
            _admitted++;
            node.Value.Admitted(_time.GetTimestamp(), _inFlight);
            admit.Add(node.Value);
        }
        SampleRate();
        return admit;
    }

    private void Reject(Waiter waiter)
    {
        lock (_gate)
        {
            _rejected++;
        }
        _rejectedCounter.Add(1);
        waiter.Fail(new Lease(null, acquired: false, RetryAfterNow()));
    }

    // A waiter that timed out or was cancelled leaves the queue, unless it was granted meanwhile.
    private bool Withdraw(Waiter waiter)
    {
        lock (_gate)
        {
            if (waiter.Node?.List is null)
            {
                return false;
            }
            waiter.Node.List.Remove(waiter.Node);
            _rejected++;
        }
        _rejectedCounter.Add(1);
        return true;
    }

    public void Dispose()
    {
        foreach (var limiter in _limiters)
        {
            limiter.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Adaptive admission window {Window} ({WindowMs} ms): latency {Ratio:F2} times the baseline, work {Work:F1} in flight without a queue, limit {Limit} around {Centre}, elasticity {Elasticity:F2} ± {Error:F2} by work, {RequestElasticity:F2} ± {RequestError:F2} by requests, {InFlight} in flight, {Queued} queued, {BackOffs} back-offs on overload so far")]
    private partial void LogWindow(long window, long windowMs, double ratio, double work, int limit, int centre, double elasticity, double error, double requestElasticity, double requestError, int inFlight, int queued, long backOffs);
}
