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

    /// <summary>Fills the gate to its limit, holds every lease for <paramref name="latency"/>, releases them: one window of the adaptive limit.</summary>
    private async Task RoundAsync(AdmissionController gate, TimeSpan latency)
    {
        var limit = gate.State().MaxConcurrent!.Value;
        var leases = new List<RateLimitLease>();
        for (var i = 0; i < limit; i++)
        {
            leases.Add(await gate.For(AdmissionPriority.Low).AcquireAsync());
        }
        Assert.All(leases, l => Assert.True(l.IsAcquired));
        _time.Advance(latency);
        foreach (var lease in leases)
        {
            lease.Dispose();
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
        // window lasts twice the requests' latency (20 ms), two rounds; with the default rest a probe
        // cycle is 16 windows: 480 rounds are 15 cycles (fewer in the second half, as latency grows).
        for (var i = 0; i < 480; i++)
        {
            await RoundAsync(gate, TimeSpan.FromMilliseconds(10));
        }
        var risen = gate.State().MaxConcurrent!.Value;
        Assert.True(risen > 80, $"more in flight served more, yet the limit is {risen}");

        // Now latency grows with the square of what is in flight: more in flight serve less.
        for (var i = 0; i < 480; i++)
        {
            var limit = gate.State().MaxConcurrent!.Value;
            await RoundAsync(gate, TimeSpan.FromMilliseconds(10 * Math.Pow(limit / 40.0, 2)));
        }
        Assert.True(gate.State().MaxConcurrent < risen * 0.6, $"more in flight served less, yet the limit is {gate.State().MaxConcurrent} (from {risen})");
    }

    [Fact]
    public async Task Update_PinningAFixedLimit_StopsTheAdaptiveLimit()
    {
        using var gate = Create(Adaptive());
        Assert.Equal(AdmissionMode.Adaptive, gate.State().Mode);

        var pinned = gate.Update(AdmissionMode.Fixed, maxConcurrent: 32, queueLimit: 100);
        for (var i = 0; i < 5; i++)
        {
            await RoundAsync(gate, TimeSpan.FromMilliseconds(10));
        }

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

    // One round at the limit: tenths of it submits (20 ms), the rest reads (2 ms), each through its limiter.
    private async Task MixedRoundAsync(AdmissionController gate, RateLimiter reads, RateLimiter submits, int submitTenths)
    {
        var limit = gate.State().MaxConcurrent!.Value;
        var heavy = limit * submitTenths / 10;
        var leases = new List<(RateLimitLease Lease, bool Submit)>();
        for (var i = 0; i < limit; i++)
        {
            leases.Add((await (i < heavy ? submits : reads).AcquireAsync(), i < heavy));
        }
        _time.Advance(TimeSpan.FromMilliseconds(2));
        leases.Where(l => !l.Submit).ToList().ForEach(l => l.Lease.Dispose());
        _time.Advance(TimeSpan.FromMilliseconds(18));
        leases.Where(l => l.Submit).ToList().ForEach(l => l.Lease.Dispose());
    }

    [Fact]
    public async Task Adaptive_MixTurnsToSubmits_TheLimitDoesNotFall()
    {
        // The weighing, not the rest: probes either side of the centre every cycle, so that 40 rounds
        // are ten cycles and the fit (over four at least) can move the limit.
        var options = Adaptive(max: 64);
        (options.AdaptiveRestCycles, options.AdaptiveProbe) = (0, AdaptiveProbe.Around);
        using var gate = Create(options);
        var reads = gate.For(AdmissionPriority.Low, "HTTP: GET /api/exams/{examId}/paper");
        var submits = gate.For(AdmissionPriority.High, "HTTP: POST /api/attempts/{attemptId}/submit");
        for (var i = 0; i < 20; i++)
        {
            await MixedRoundAsync(gate, reads, submits, submitTenths: 1);
        }
        var before = gate.State().MaxConcurrent!.Value;

        for (var i = 0; i < 20; i++)
        {
            await MixedRoundAsync(gate, reads, submits, submitTenths: 9);
        }

        // A round takes 20 ms whatever is in flight: more in flight serve more, whatever the mix.
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
