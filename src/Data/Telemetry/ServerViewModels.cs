namespace ExamConsole.Data.Telemetry;

/// <summary>
/// The server's connection figures for this database, without the telemetry pool's own backends.
/// The groups do not overlap: a backend waiting for a lock counts as <see cref="Waiting"/>, not as
/// <see cref="Active"/>; <see cref="Total"/> also holds the rare other states.
/// </summary>
public sealed record ServerStats(
    DateTimeOffset At,
    int MaxConnections,
    int Active,
    int Idle,
    int IdleInTransaction,
    int Waiting,
    int Total);

/// <summary>An active query past the long-running threshold.</summary>
public sealed record LongRunningQuery(
    int Pid,
    double DurationMs,
    string State,
    string? WaitEvent,
    string Query,
    string ApplicationName);

public enum StatementSort
{
    Total,
    Mean,
    Calls,
}

/// <summary>One normalized statement from pg_stat_statements, times in milliseconds.</summary>
public sealed record StatementStat(string Query, long Calls, double MeanMs, double TotalMs);

/// <summary>
/// The top statements, or, when pg_stat_statements cannot be read, why and how to enable it
/// (<see cref="Available"/> false, <see cref="Advice"/> set, no statements).
/// </summary>
public sealed record StatementsReport(bool Available, string? Advice, IReadOnlyList<StatementStat> Statements);

/// <summary>Cancel a backend's query or end the backend: an operator's action on the server.</summary>
public interface IBackendSignals
{
    Task<BackendSignal> CancelAsync(int pid, CancellationToken cancellationToken);

    Task<BackendSignal> TerminateAsync(int pid, CancellationToken cancellationToken);
}

/// <summary>What became of a cancel or terminate request.</summary>
public enum BackendSignal
{
    /// <summary>The backend was signalled.</summary>
    Sent,

    /// <summary>The pid is not a client backend of this database (or it ended meanwhile).</summary>
    NotABackend,

    /// <summary>The database role may not signal that backend (it needs pg_signal_backend).</summary>
    NotPermitted,
}
