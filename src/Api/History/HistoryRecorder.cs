using ExamConsole.Api.Admission;
using ExamConsole.Api.Fleet;
using ExamConsole.Api.Resilience;
using ExamConsole.Api.Submissions;
using ExamConsole.Data.History;
using ExamConsole.Data.Pool;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ExamConsole.Api.History;

/// <summary>
/// Samples this node once a second (pool, admission, circuit, spool, and the routes' counts from
/// <see cref="RouteHistogramRecorder"/>), keeps the seconds in a bounded buffer and writes them in one
/// batch every <c>History:FlushInterval</c> on the operators' pool. Nothing here is on a request's
/// path. While the database is away the buffer holds up to <c>History:BufferSeconds</c> seconds, the
/// oldest dropped (and counted) beyond; a failed batch stays buffered and goes with the next. Every
/// <c>History:MaintenanceInterval</c> it rolls finished minutes up and deletes expired rows.
/// </summary>
public sealed partial class HistoryRecorder(
    RouteHistogramRecorder routes,
    IPoolEngine pool,
    AdmissionController admission,
    ICircuitControl circuit,
    ISubmissionFallback fallback,
    NodeIdentity identity,
    HistoryStore store,
    IOptions<HistoryOptions> options,
    TimeProvider time,
    ILogger<HistoryRecorder> logger) : BackgroundService
{
    /// <summary>Minutes rolled up again on every pass: seconds buffered through an outage arrive late.</summary>
    private static readonly TimeSpan RollupLookBack = TimeSpan.FromMinutes(30);

    private readonly Lock _gate = new();
    private readonly Lock _sampling = new();
    private readonly LinkedList<(NodeSample Node, List<RouteSample> Routes)> _buffer = new();
    private readonly HistoryOptions _options = options.Value;
    private readonly SemaphoreSlim _flushing = new(1, 1);
    private DateTimeOffset _lastAt = DateTimeOffset.MinValue;
    private long _lastRejected = -1;
    private long _lastTimeouts = -1;
    private long _dropped;
    private bool _failing;

    /// <summary>Seconds waiting to be written.</summary>
    public int Buffered
    {
        get
        {
            lock (_gate)
            {
                return _buffer.Count;
            }
        }
    }

    /// <summary>The seconds waiting to be written, oldest first.</summary>
    public IReadOnlyList<DateTimeOffset> BufferedSeconds()
    {
        lock (_gate)
        {
            return [.. _buffer.Select(b => b.Node.At)];
        }
    }

    /// <summary>Seconds dropped because the buffer was full while the database was away.</summary>
    public long DroppedTotal => Interlocked.Read(ref _dropped);

    /// <summary>Takes this second's sample into the buffer (the timer does it once a second).</summary>
    public void Sample()
    {
        lock (_sampling)
        {
            SampleNow();
        }
    }

    private void SampleNow()
    {
        var now = time.GetUtcNow();
        var second = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        var p = pool.Snapshot();
        var a = admission.State();
        var shed = _lastRejected < 0 ? 0 : Math.Max(0, a.RejectedTotal - _lastRejected);
        var timeouts = _lastTimeouts < 0 ? 0 : Math.Max(0, p.TimeoutsTotal - _lastTimeouts);
        _lastRejected = a.RejectedTotal;
        _lastTimeouts = p.TimeoutsTotal;
        lock (_gate)
        {
            // A second sampled twice (a late tick then a prompt one, or the stop's last sample) is one
            // row: its counts added up, its gauges the latest. Once written, the next second takes them.
            var mergeable = _buffer.Last is { } lastEntry && lastEntry.Value.Node.At == _lastAt;
            var at = second > _lastAt ? second : mergeable ? _lastAt : _lastAt.AddSeconds(1);
            var routeSamples = routes.Harvest(identity.Name, at);
            var node = new NodeSample(
                identity.Name, at, p.Open, p.Busy, p.Idle, p.Pending, p.MaxSize, p.AcquireMs.P99,
                routeSamples.Sum(r => r.Requests), routeSamples.Sum(r => r.Errors), shed, timeouts,
                fallback.SpoolDepth, p.LeasesOverThreshold, circuit.State);
            if (at == _lastAt && mergeable)
            {
                MergeIntoLast(node, routeSamples);
                return;
            }
            _lastAt = at;
            while (_buffer.Count >= _options.BufferSeconds)
            {
                _buffer.RemoveFirst();
                Interlocked.Increment(ref _dropped);
            }
            _buffer.AddLast((node, routeSamples));
        }
    }

    /// <summary>Adds a second's counts to the buffered row of the same second (the queue's last); called under the gate.</summary>
    private void MergeIntoLast(NodeSample node, List<RouteSample> routeSamples)
    {
        var last = _buffer.Last!.Value;
        var merged = last.Routes.Concat(routeSamples).GroupBy(r => r.Route, StringComparer.Ordinal).Select(g =>
        {
            var buckets = new long[LatencyBuckets.Count];
            foreach (var r in g)
            {
                for (var i = 0; i < r.Counts.Length; i++)
                {
                    buckets[r.FirstBucket + i] += r.Counts[i];
                }
            }
            var (first, counts) = LatencyBuckets.Trim(buckets);
            return new RouteSample(node.Node, node.At, g.Key, g.Sum(r => r.Requests), g.Sum(r => r.Errors), first, counts);
        }).ToList();
        var sample = node with
        {
            Requests = last.Node.Requests + node.Requests,
            Errors = last.Node.Errors + node.Errors,
            Shed = last.Node.Shed + node.Shed,
            Timeouts = last.Node.Timeouts + node.Timeouts,
        };
        _buffer.Last.Value = (sample, merged);
    }

    /// <summary>Writes what is buffered in one batch; on failure it stays for the next try. True when the buffer was written.</summary>
    public async Task<bool> FlushAsync(CancellationToken cancellationToken)
    {
        await _flushing.WaitAsync(cancellationToken);
        try
        {
            List<(NodeSample Node, List<RouteSample> Routes)> batch;
            lock (_gate)
            {
                batch = [.. _buffer];
            }
            if (batch.Count == 0)
            {
                return true;
            }
            try
            {
                await store.WriteAsync(batch.Select(b => b.Node).ToList(), batch.SelectMany(b => b.Routes).ToList(), cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                if (!_failing)
                {
                    _failing = true;
                    LogFlushFailed(logger, batch.Count, e);
                }
                return false;
            }
            if (_failing)
            {
                _failing = false;
                LogFlushRecovered(logger, batch.Count, DroppedTotal);
            }
            lock (_gate)
            {
                // Seconds dropped while the batch was being written were among its oldest: only what is still there goes.
                var written = batch[^1].Node.At;
                while (_buffer.First is { } oldest && oldest.Value.Node.At <= written)
                {
                    _buffer.RemoveFirst();
                }
            }
            return true;
        }
        finally
        {
            _flushing.Release();
        }
    }

    /// <summary>Rolls up the last half hour's finished minutes and deletes expired rows.</summary>
    public async Task MaintainAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var minute = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
        await store.RollUpAsync(minute - RollupLookBack, minute, cancellationToken);
        await store.DeleteExpiredAsync(_options.RawRetention, _options.RollupRetention, cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_options.Enabled)
        {
            // The last seconds go out on a graceful stop; bounded, so that a database away cannot hold the stop.
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bounded.CancelAfter(TimeSpan.FromSeconds(5));
            Sample();
            try
            {
                await FlushAsync(bounded.Token);
            }
            catch (OperationCanceledException)
            {
                LogStopFlushAbandoned(logger, Buffered);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }
        var sampling = SampleEverySecondAsync(stoppingToken);
        var writing = WriteAndMaintainAsync(stoppingToken);
        await Task.WhenAll(sampling, writing);
    }

    private async Task SampleEverySecondAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    Sample();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogSampleFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task WriteAndMaintainAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.FlushInterval, time);
        var nextMaintenance = time.GetUtcNow() + _options.MaintenanceInterval;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var written = await FlushAsync(stoppingToken);
                if (written && time.GetUtcNow() >= nextMaintenance)
                {
                    nextMaintenance = time.GetUtcNow() + _options.MaintenanceInterval;
                    try
                    {
                        await MaintainAsync(stoppingToken);
                    }
                    catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                    {
                        LogMaintenanceFailed(logger, e);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "History: {Seconds} buffered seconds could not be written; they stay buffered (up to History:BufferSeconds) and go with the next batch.")]
    private static partial void LogFlushFailed(ILogger logger, int seconds, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "History: writing again, {Seconds} buffered seconds written; {Dropped} seconds dropped in all since start.")]
    private static partial void LogFlushRecovered(ILogger logger, int seconds, long dropped);

    [LoggerMessage(Level = LogLevel.Warning, Message = "History: stopping with {Seconds} seconds not written (the database did not take them in time).")]
    private static partial void LogStopFlushAbandoned(ILogger logger, int seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "History: sampling this second failed.")]
    private static partial void LogSampleFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "History: rolling up or deleting expired rows failed; tried again at the next pass.")]
    private static partial void LogMaintenanceFailed(ILogger logger, Exception exception);
}
