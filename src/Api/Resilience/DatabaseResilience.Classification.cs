using ExamConsole.Data.Pool;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace ExamConsole.Api.Resilience;

/// <summary>
/// The one classification of database failures: the breaker, the retry, the submission path, the
/// replayer, the attempt status endpoint and the exception handler all ask here.
/// </summary>
public sealed partial class DatabaseResilience
{
    /// <summary>Errors that say the database is unavailable or overloaded (not a constraint or a bad request).</summary>
    public static bool IsDatabaseFailure(Exception e) => e switch
    {
        PostgresException pg => pg.IsTransient || pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState.StartsWith("53", StringComparison.Ordinal)
            || pg.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.QueryCanceled,
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is TimeoutException or IOException or System.Net.Sockets.SocketException,
        TimeoutException => true,
        TimeoutRejectedException => true,
        // EF Core's execution strategy hands a transient failure on wrapped ("likely due to a transient
        // failure"; after its retries, RetryLimitExceededException): what is inside decides. Unwrapped,
        // PostgreSQL's shutdown (57P01) in the middle of the exam list answered 500 (issue 17's faults run).
        // Npgsql's exhausted pool, a timeout wrapped the same way, stays out (IsUnavailable has it).
        InvalidOperationException { InnerException: { } inner } when inner is not TimeoutException => IsDatabaseFailure(inner),
        RetryLimitExceededException { InnerException: { } inner } => IsDatabaseFailure(inner),
        _ => false,
    };

    /// <summary>Database failures worth one more try: not an exhausted pool, not a statement the server cancelled.</summary>
    public static bool IsTransient(Exception e) =>
        e is not PoolExhaustedException
        && e is not PostgresException { SqlState: PostgresErrorCodes.QueryCanceled }
        && IsDatabaseFailure(e);

    /// <summary>
    /// What a pipeline's caller sees when the database is degraded: a database failure, the open
    /// circuit refusing work, or the total timeout. A submission goes to the spool rather than failing.
    /// </summary>
    public static bool IsDegradation(Exception e) =>
        e is BrokenCircuitException or TimeoutRejectedException || IsDatabaseFailure(e);

    /// <summary>
    /// What an endpoint answers with 503: a degradation, or Npgsql's "The connection pool has been
    /// exhausted", which may also arrive as an InvalidOperationException wrapping a timeout.
    /// </summary>
    public static bool IsUnavailable(Exception e) =>
        IsDegradation(e) || e is InvalidOperationException { InnerException: TimeoutException };
}
