using ExamConsole.Api.Resilience;
using ExamConsole.Api.Submissions.Spool;

namespace ExamConsole.Api.Submissions;

/// <summary>The submissions' fallback as operators see and steer it: the durable spool, its drain, and the switch that sends every submission there.</summary>
public interface ISubmissionFallback
{
    /// <summary>While on, every new submission goes to the spool without trying PostgreSQL.</summary>
    bool ForceFallback { get; set; }

    int SpoolDepth { get; }

    DateTimeOffset? OldestQueuedAt { get; }

    /// <summary>Replays the spool into PostgreSQL now; returns how many submissions went in.</summary>
    Task<int> DrainAsync(CancellationToken cancellationToken);
}

/// <summary>The fallback over the three parts that make it: the resilience part's switch, the spool and its replayer.</summary>
internal sealed class SubmissionFallback(DatabaseResilience resilience, SubmissionSpool spool, SpoolReplayer replayer) : ISubmissionFallback
{
    public bool ForceFallback
    {
        get => resilience.ForceFallback;
        set => resilience.ForceFallback = value;
    }

    public int SpoolDepth => spool.Depth;

    public DateTimeOffset? OldestQueuedAt => spool.OldestAcceptedAt;

    public Task<int> DrainAsync(CancellationToken cancellationToken) => replayer.DrainAsync(cancellationToken);
}
