using System.Collections.Concurrent;
using ExamConsole.Data.Telemetry;
using Microsoft.Extensions.Logging;

namespace ExamConsole.Data.Pool;

/// <summary>
/// The engine's leak watch: which leases are out, since when and where they were taken; a lease held
/// past Pool:LeakThreshold is reported (with its return), and past Pool:LeakReclaimAfter its backend is
/// terminated through the telemetry pool, which still answers when the main pool is exhausted.
/// </summary>
internal sealed class PoolLeakWatch(ExamDataSource dataSource, PoolMeters meters, ServerView server, TimeProvider time, ILogger logger)
{
    private const int EventCapacity = 200;

    private readonly ConcurrentDictionary<long, PoolLease> _active = new();
    private readonly ConcurrentQueue<LeakEvent> _events = new();

    public TimeSpan Threshold => dataSource.Current.Settings.LeakThreshold;

    public void Track(PoolLease lease) => _active[lease.Id] = lease;

    /// <summary>Forgets a lease given back, and notes its return when it had been reported.</summary>
    public void Returned(PoolLease lease, TimeSpan held)
    {
        _active.TryRemove(lease.Id, out _);
        if (lease.ReportedAsLeak)
        {
            Add(new LeakEvent(time.GetUtcNow(), LeakEvent.Returned, lease.Id, lease.Source, lease.TakenAt, held.TotalSeconds, lease.BackendPid));
            PoolLog.LeakReturned(logger, lease.Id, lease.Source, held.TotalSeconds);
        }
    }

    public int CountHeldPast(TimeSpan threshold)
    {
        var since = time.GetUtcNow() - threshold;
        return _active.Values.Count(l => l.TakenAt <= since);
    }

    public IReadOnlyList<LeaseInfo> ActiveLeases() => Describe(_active.Values);

    public IReadOnlyList<LeaseInfo> SuspectedLeaks()
    {
        var since = time.GetUtcNow() - Threshold;
        return Describe(_active.Values.Where(l => l.TakenAt <= since));
    }

    public IReadOnlyList<LeakEvent> LeakEvents() => _events.Reverse().ToList();

    /// <summary>One turn of the watch: reports the leases newly past the threshold, reclaims those past the reclaim time.</summary>
    public async Task WatchAsync(CancellationToken cancellationToken)
    {
        var settings = dataSource.Current.Settings;
        var now = time.GetUtcNow();
        foreach (var lease in _active.Values)
        {
            var held = now - lease.TakenAt;
            if (held >= settings.LeakThreshold && !lease.ReportedAsLeak)
            {
                lease.ReportedAsLeak = true;
                meters.Leaks.Add(1);
                Add(new LeakEvent(now, LeakEvent.Held, lease.Id, lease.Source, lease.TakenAt, held.TotalSeconds, lease.BackendPid));
                PoolLog.LeakSuspected(logger, lease.Id, lease.Source, lease.TakenAt, lease.BackendPid, held.TotalSeconds);
            }
            if (settings.LeakReclaimAfter is { } reclaimAfter && held >= reclaimAfter && !lease.Reclaimed)
            {
                lease.Reclaimed = true;
                await server.TerminateAsync(lease.BackendPid, cancellationToken);
                Add(new LeakEvent(now, LeakEvent.Reclaimed, lease.Id, lease.Source, lease.TakenAt, held.TotalSeconds, lease.BackendPid));
                PoolLog.LeakReclaimed(logger, lease.Id, lease.Source, lease.BackendPid, held.TotalSeconds);
            }
        }
    }

    private List<LeaseInfo> Describe(IEnumerable<PoolLease> leases)
    {
        var now = time.GetUtcNow();
        return leases
            .OrderBy(l => l.TakenAt)
            .Select(l => new LeaseInfo(l.Id, l.Source, l.TakenAt, Math.Round((now - l.TakenAt).TotalSeconds, 1), l.BackendPid, l.Generation.Number, l.Reclaimed))
            .ToList();
    }

    private void Add(LeakEvent leakEvent)
    {
        _events.Enqueue(leakEvent);
        while (_events.Count > EventCapacity && _events.TryDequeue(out _))
        {
        }
    }
}
