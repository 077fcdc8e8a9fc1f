using ExamConsole.Data.Bouncer;
using ExamConsole.Data.Telemetry;
using ExamConsole.Data.Telemetry.Readiness;

namespace ExamConsole.Api.Admin;

/// <summary>GET /api/admin/slow-queries.</summary>
public sealed record SlowQueriesResponse(
    bool StatementsAvailable,
    string? Advice,
    string Sort,
    IReadOnlyList<StatementResponse> Statements,
    IReadOnlyList<SlowCommandResponse> Recent,
    double SlowThresholdMs,
    long SlowCommandsTotal,
    IReadOnlyList<LongRunningResponse> LongRunning);

public sealed record StatementResponse(string Query, long Calls, double MeanMs, double TotalMs)
{
    public static StatementResponse From(StatementStat s) => new(s.Query, s.Calls, s.MeanMs, s.TotalMs);
}

public sealed record SlowCommandResponse(DateTimeOffset At, double DurationMs, string Command, string Source)
{
    public static SlowCommandResponse From(SlowCommand c) => new(c.At, c.DurationMs, c.Command, c.Source);
}

public sealed record LongRunningResponse(int Pid, double DurationMs, string State, string? WaitEvent, string Query, string ApplicationName)
{
    public static LongRunningResponse From(LongRunningQuery q) => new(q.Pid, q.DurationMs, q.State, q.WaitEvent, q.Query, q.ApplicationName);
}

/// <summary>GET /api/admin/server: the backends of this database by state (without the telemetry pool's), the long-running queries, and PgBouncer's figures when it is in the path (null when direct).</summary>
public sealed record ServerResponse(
    DateTimeOffset At,
    int MaxConnections,
    BackendsResponse Backends,
    double LongRunningThresholdMs,
    IReadOnlyList<LongRunningResponse> LongRunning,
    DateTimeOffset? SampledAt,
    BouncerResponse? Bouncer);

/// <summary>
/// PgBouncer's own figures for the node's database: SHOW POOLS (clients active and waiting, backends
/// active and idle, the longest wait), SHOW STATS (transactions/s, average wait) and its limits. When
/// its admin console does not answer, <c>reachable</c> is false, <c>error</c> says why and the figures
/// are those of the last read (<c>at</c>), if any.
/// </summary>
public sealed record BouncerResponse(
    bool Reachable,
    string? Error,
    DateTimeOffset? At,
    string Database,
    string? PoolMode,
    int? ClientActive,
    int? ClientWaiting,
    int? ServerActive,
    int? ServerIdle,
    double? MaxWaitMs,
    double? TransactionsPerSecond,
    double? AverageWaitMs,
    int? MaxClientConnections,
    int? ServerBackends)
{
    public static BouncerResponse From(string database, BouncerFigures? f, string? error) => new(
        error is null && f is not null,
        error,
        f?.At,
        database,
        f?.PoolMode,
        f?.ClientActive,
        f?.ClientWaiting,
        f?.ServerActive,
        f?.ServerIdle,
        f?.MaxWaitMs,
        f?.TransactionsPerSecond,
        f?.AverageWaitMs,
        f?.Limits.MaxClientConnections,
        f?.Limits.ServerBackends);
}

public sealed record BackendsResponse(int Active, int Idle, int IdleInTransaction, int Waiting, int Total);

/// <summary>POST /api/admin/server/backends/{pid}/cancel or /terminate.</summary>
public sealed record BackendSignalResponse(int Pid, string Action, bool Signalled);

/// <summary>GET /api/admin/readiness.</summary>
public sealed record ReadinessResponse(DateTimeOffset At, bool Ready, IReadOnlyList<ReadinessCheckResponse> Checks);

public sealed record ReadinessCheckResponse(string Name, bool Ok, string Actual, string Expected, string? Advice)
{
    public static ReadinessCheckResponse From(ReadinessCheck c) => new(c.Name, c.Ok, c.Actual, c.Expected, c.Advice);
}
