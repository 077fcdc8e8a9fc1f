namespace ExamConsole.Data.Telemetry;

/// <summary>
/// The last server figures the sampler read, so that the pool snapshot (taken per request, and by
/// /metrics at every scrape) shows the server side without a query of its own.
/// </summary>
public sealed class ServerStatsCache
{
    private readonly Lock _gate = new();
    private ServerStats? _latest;
    private DateTimeOffset? _lastFailureAt;

    /// <summary>The newest figures; null until the first sample succeeded. Their <c>At</c> tells how old they are.</summary>
    public ServerStats? Latest => Volatile.Read(ref _latest);

    /// <summary>When the last sample failed, if the last one failed; null after a success.</summary>
    public DateTimeOffset? LastFailureAt
    {
        get
        {
            lock (_gate)
            {
                return _lastFailureAt;
            }
        }
    }

    public void Update(ServerStats stats)
    {
        Volatile.Write(ref _latest, stats);
        lock (_gate)
        {
            _lastFailureAt = null;
        }
    }

    /// <summary>Records a failed sample; returns true when it is the first failure after a success (worth a log line).</summary>
    public bool Failed(DateTimeOffset at)
    {
        lock (_gate)
        {
            var first = _lastFailureAt is null;
            _lastFailureAt = at;
            return first;
        }
    }
}
