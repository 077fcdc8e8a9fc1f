using System.Threading.RateLimiting;
using ExamConsole.Api.Admission;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ExamConsole.Api.Tests;

public sealed class AdmissionControllerTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    private AdmissionController Create(int? max, int? queue) =>
        new(Options.Create(new AdmissionOptions { MaxConcurrent = max, QueueLimit = queue, QueueTimeout = TimeSpan.FromSeconds(2) }),
            _services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
            _time,
            NullLogger<AdmissionController>.Instance);

    private AdmissionController Create(AdmissionOptions options) =>
        new(Options.Create(options), _services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), _time, NullLogger<AdmissionController>.Instance);

    private static AdmissionOptions Adaptive(int? max = 64, int floor = 8, int ceiling = 512) => new()
    {
        Mode = AdmissionMode.Adaptive,
        MaxConcurrent = max,
        QueueLimit = 100,
        AdaptiveFloor = floor,
        AdaptiveCeiling = ceiling,
        AdaptiveWindow = TimeSpan.FromMilliseconds(10),
        AdaptiveMinSamples = 10,
    };

    /// <summary>
    /// A node asked for more than its gate admits: one request always waits, so each release admits
    /// the next into a full gate (the adaptive limit learns only from windows the limit decided).
    /// <see cref="RunAsync"/> goes on for a span of fake time; <c>next</c> gives the n-th request's
    /// limiter and how long it holds its slot, from the limit in force when it is sent.
    /// </summary>
    private sealed class Backlog(AdmissionController gate, FakeTimeProvider time)
    {
        private readonly PriorityQueue<RateLimitLease, DateTimeOffset> _held = new();
        private (Task<RateLimitLease> Lease, TimeSpan Latency)? _waiting;
        private int _sent;

        /// <summary>The limits in force at each release.</summary>
        public List<int> Limits { get; } = [];

        public async Task RunAsync(TimeSpan span, Func<int, int, (RateLimiter Limiter, TimeSpan Latency)> next)
        {
            var end = time.GetUtcNow() + span;
            while (time.GetUtcNow() < end)
            {
                while (_waiting is null)
                {
                    var (limiter, latency) = next(_sent++, gate.State().MaxConcurrent!.Value);
                    var lease = limiter.AcquireAsync().AsTask();
                    if (lease.IsCompleted)
                    {
                        var admitted = await lease;
                        Assert.True(admitted.IsAcquired);
                        _held.Enqueue(admitted, time.GetUtcNow() + latency);
                    }
                    else
                    {
                        _waiting = (lease, latency);
                    }
                }
                // The earliest lease to finish is released when it is due.
                Assert.True(_held.TryDequeue(out var first, out var due), "nothing in flight while a request waits");
                if (due > time.GetUtcNow())
                {
                    time.SetUtcNow(due);
                }
                first.Dispose();
                Limits.Add(gate.State().MaxConcurrent!.Value);
                if (_waiting is { Lease.IsCompleted: true } waiting)
                {
                    var admitted = await waiting.Lease;
                    Assert.True(admitted.IsAcquired);
                    _held.Enqueue(admitted, time.GetUtcNow() + waiting.Latency);
                    _waiting = null;
                }
            }
        }
    }

    [Fact]
    public async Task Acquire_FullGateAndFullQueue_RejectsAtOnceWithRetryAfter()
    {
        using var gate = Create(max: 1, queue: 1);
        using var first = await gate.For(AdmissionPriority.Low).AcquireAsync();
        var second = gate.For(AdmissionPriority.Low).AcquireAsync();

        using var third = await gate.For(AdmissionPriority.Low).AcquireAsync();

        Assert.True(first.IsAcquired);
        Assert.False(second.IsCompleted);
        Assert.False(third.IsAcquired);
        Assert.True(third.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        // No admission rate measured yet: the configured 1 s, spread by up to as much again.
        Assert.InRange(retryAfter, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        Assert.Equal(new AdmissionState(1, 1, 1, 1, 1, 1, AdmissionMode.Fixed, 8, 512), gate.State());
        first.Dispose();
        using var admitted = await second;
        Assert.True(admitted.IsAcquired);
    }

    [Fact]
    public async Task Shed_WithABacklog_IsToldToWaitAsLongAsTheGateNeedsToServeIt()
    {
        using var gate = Create(max: 2, queue: 18);
        // Five admissions in the first second: the gate measures 5 per second.
        for (var i = 0; i < 4; i++)
        {
            (await gate.For(AdmissionPriority.Low).AcquireAsync()).Dispose();
        }
        _time.Advance(TimeSpan.FromSeconds(1));
        using var held1 = await gate.For(AdmissionPriority.Low).AcquireAsync();
        using var held2 = await gate.For(AdmissionPriority.Low).AcquireAsync();
        var waiting = Enumerable.Range(0, 18).Select(_ => gate.For(AdmissionPriority.Low).AcquireAsync()).ToList();

        using var shed = await gate.For(AdmissionPriority.Low).AcquireAsync();

        Assert.False(shed.IsAcquired);
        Assert.True(shed.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        // 20 in the gate at 5 per second: 4 s, spread by up to as much again.
        Assert.InRange(retryAfter, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8));
        Assert.All(waiting, w => Assert.False(w.IsCompleted));
    }

    [Fact]
    public async Task Shed_WithAHugeBacklog_WaitsNoLongerThanTheMaximumAndItsSpread()
    {
        using var gate = Create(max: 1, queue: 200);
        (await gate.For(AdmissionPriority.Low).AcquireAsync()).Dispose();
        _time.Advance(TimeSpan.FromSeconds(1));
        using var held = await gate.For(AdmissionPriority.Low).AcquireAsync();
        var waiting = Enumerable.Range(0, 200).Select(_ => gate.For(AdmissionPriority.Low).AcquireAsync()).ToList();

        using var shed = await gate.For(AdmissionPriority.Low).AcquireAsync();

        Assert.True(shed.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        // 201 in the gate at 2 per second would be 100 s: capped at Admission:MaxRetryAfter (10 s), spread to at most 20 s.
        Assert.InRange(retryAfter, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20));
        Assert.Equal(200, waiting.Count(w => !w.IsCompleted));
    }

    [Fact]
    public async Task Acquire_HighPriorityOnFullQueue_ShedsNewestLowWaiterAndGoesFirst()
    {
        using var gate = Create(max: 1, queue: 2);
        var held = await gate.For(AdmissionPriority.Low).AcquireAsync();
        var low1 = gate.For(AdmissionPriority.Low).AcquireAsync();
        var low2 = gate.For(AdmissionPriority.Low).AcquireAsync();

        var high = gate.For(AdmissionPriority.High).AcquireAsync();

        Assert.False((await low2).IsAcquired);
        Assert.False(high.IsCompleted);
        held.Dispose();
        using (var h = await high)
        {
            Assert.True(h.IsAcquired);
            Assert.False(low1.IsCompleted);
        }
        using var l1 = await low1;
        Assert.True(l1.IsAcquired);
    }

    [Fact]
    public async Task Acquire_WaitingPastQueueTimeout_IsShed()
    {
        using var gate = Create(max: 1, queue: 10);
        using var held = await gate.For(AdmissionPriority.High).AcquireAsync();
        var waiting = gate.For(AdmissionPriority.High).AcquireAsync();

        _time.Advance(TimeSpan.FromSeconds(2));

        using var lease = await waiting;
        Assert.False(lease.IsAcquired);
        Assert.Equal(0, gate.State().Queued);
        Assert.Equal(1, gate.State().RejectedTotal);
    }

    [Fact]
    public async Task Update_RaisingTheLimit_AdmitsWaitersAtOnce()
    {
        using var gate = Create(max: 1, queue: 10);
        using var held = await gate.For(AdmissionPriority.Low).AcquireAsync();
        var waiting = gate.For(AdmissionPriority.Low).AcquireAsync();

        var state = gate.Update(maxConcurrent: 5, queueLimit: 10);

        using var lease = await waiting;
        Assert.True(lease.IsAcquired);
        Assert.Equal(2, state.InFlight);
        Assert.Equal(0, state.Queued);
    }

    [Fact]
    public async Task Update_ShrinkingTheQueue_ShedsLowWaitersFirst()
    {
        using var gate = Create(max: 1, queue: 10);
        using var held = await gate.For(AdmissionPriority.Low).AcquireAsync();
        var high = gate.For(AdmissionPriority.High).AcquireAsync();
        var low = gate.For(AdmissionPriority.Low).AcquireAsync();

        gate.Update(maxConcurrent: 1, queueLimit: 1);

        Assert.False((await low).IsAcquired);
        Assert.False(high.IsCompleted);
    }

    [Fact]
    public async Task Acquire_NoLimits_AdmitsEverything()
    {
        using var gate = Create(max: null, queue: null);
        var leases = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => gate.For(AdmissionPriority.Low).AcquireAsync().AsTask()));
        Assert.All(leases, l => Assert.True(l.IsAcquired));
        Assert.Equal(100, gate.State().InFlight);
        foreach (var lease in leases)
        {
            lease.Dispose();
        }
        Assert.Equal(0, gate.State().InFlight);
    }

    [Fact]
    public async Task Update_ToAdaptive_StartsFromTheLimitInForceThenFollowsThroughput()
    {
        var options = Adaptive(max: 64);
        options.Mode = AdmissionMode.Fixed;
        using var gate = Create(options);
        Assert.Equal(AdmissionMode.Fixed, gate.State().Mode);

        var released = gate.Update(AdmissionMode.Adaptive, maxConcurrent: null, queueLimit: 100);
        Assert.Equal(AdmissionMode.Adaptive, released.Mode);
        Assert.Equal(64, released.MaxConcurrent);
        Assert.Equal(1, released.Changes);

        // Every request 10 ms, however many in flight: more in flight serve more, the limit climbs. A
        // window lasts twice the requests' latency (20 ms); with the default rest a probe cycle is 16
        // windows: 5 s are 15 cycles.
        var backlog = new Backlog(gate, _time);
        var low = gate.For(AdmissionPriority.Low);
        await backlog.RunAsync(TimeSpan.FromSeconds(5), (_, _) => (low, TimeSpan.FromMilliseconds(10)));
        var risen = gate.State().MaxConcurrent!.Value;
        Assert.True(risen > 80, $"more in flight served more, yet the limit is {risen}");

        // Now latency grows with the square of what is in flight: more in flight serve less.
        await backlog.RunAsync(TimeSpan.FromSeconds(20), (_, limit) => (low, TimeSpan.FromMilliseconds(10 * Math.Pow(limit / 40.0, 2))));
        Assert.True(gate.State().MaxConcurrent < risen * 0.6, $"more in flight served less, yet the limit is {gate.State().MaxConcurrent} (from {risen})");
    }

    [Fact]
    public async Task Update_PinningAFixedLimit_StopsTheAdaptiveLimit()
    {
        using var gate = Create(Adaptive());
        Assert.Equal(AdmissionMode.Adaptive, gate.State().Mode);

        var pinned = gate.Update(AdmissionMode.Fixed, maxConcurrent: 32, queueLimit: 100);
        var low = gate.For(AdmissionPriority.Low);
        await new Backlog(gate, _time).RunAsync(TimeSpan.FromSeconds(1), (_, _) => (low, TimeSpan.FromMilliseconds(10)));

        Assert.Equal(AdmissionMode.Fixed, pinned.Mode);
        Assert.Equal(32, gate.State().MaxConcurrent);
    }

    [Fact]
    public void Update_ToAdaptiveWithoutAnyLimit_StartsAtTheCeiling()
    {
        using var gate = Create(max: null, queue: null);

        var state = gate.Update(AdmissionMode.Adaptive, maxConcurrent: null, queueLimit: null);

        Assert.Equal(512, state.MaxConcurrent);
    }

    [Fact]
    public async Task Acquire_AdaptiveMode_StillAdmitsHighPriorityFirst()
    {
        using var gate = Create(Adaptive(max: 1, floor: 1, ceiling: 1));
        var held = await gate.For(AdmissionPriority.Low).AcquireAsync();
        var low = gate.For(AdmissionPriority.Low).AcquireAsync();
        var high = gate.For(AdmissionPriority.High).AcquireAsync();

        held.Dispose();

        using var h = await high;
        Assert.True(h.IsAcquired);
        Assert.False(low.IsCompleted);
    }

    [Fact]
    public async Task Adaptive_MixTurnsToSubmits_TheLimitDoesNotFall()
    {
        // The weighing, not the rest: probes either side of the centre every cycle, so that the fit (over
        // four cycles at least) can move the limit within a second or two.
        var options = Adaptive(max: 64);
        (options.AdaptiveRestCycles, options.AdaptiveProbe) = (0, AdaptiveProbe.Around);
        using var gate = Create(options);
        var reads = gate.For(AdmissionPriority.Low, "HTTP: GET /api/exams/{examId}/paper");
        var submits = gate.For(AdmissionPriority.High, "HTTP: POST /api/attempts/{attemptId}/submit");
        // Tenths of the requests sent are submits (20 ms), the rest reads (2 ms).
        Func<int, int, (RateLimiter, TimeSpan)> Mix(int submitTenths) =>
            (n, _) => n % 10 < submitTenths ? (submits, TimeSpan.FromMilliseconds(20)) : (reads, TimeSpan.FromMilliseconds(2));
        var backlog = new Backlog(gate, _time);
        await backlog.RunAsync(TimeSpan.FromSeconds(2), Mix(1));
        var before = gate.State().MaxConcurrent!.Value;
        backlog.Limits.Clear();

        await backlog.RunAsync(TimeSpan.FromSeconds(4), Mix(9));

        // Each request takes as long whatever is in flight: more in flight serve more, whatever the mix.
        Assert.True(backlog.Limits.Distinct().Count() > 2, $"the limit did not probe: {string.Join(", ", backlog.Limits.Distinct())}");
        Assert.True(gate.State().MaxConcurrent >= before, $"the limit fell from {before} to {gate.State().MaxConcurrent} on a change of mix");
    }

    [Fact]
    public void LimitGauge_ReportsTheLimitInForce_AndNothingWithoutOne()
    {
        using var gate = Create(Adaptive(max: 40));
        using var collector = new MetricCollector<int>(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "ExamConsole.Admission", "examconsole.admission.limit");

        collector.RecordObservableInstruments();
        Assert.Equal(40, collector.LastMeasurement?.Value);

        gate.Update(AdmissionMode.Fixed, maxConcurrent: null, queueLimit: null);
        collector.Clear();
        collector.RecordObservableInstruments();
        Assert.Empty(collector.GetMeasurementSnapshot());
    }

    public void Dispose() => _services.Dispose();
}
