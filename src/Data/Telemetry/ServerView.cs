using Microsoft.Extensions.Options;
using Npgsql;

namespace ExamConsole.Data.Telemetry;

/// <summary>
/// What the server says about this database, read through the telemetry pool: backends by state,
/// long-running queries, top statements, and cancel or terminate of one backend. Every query is
/// limited to client backends of this database and leaves out the telemetry pool's own.
/// </summary>
public sealed partial class ServerView(TelemetryDataSource db, IOptions<ServerTelemetryOptions> options, TimeProvider time) : IBackendSignals
{
    /// <summary>Most long-running queries listed at once.</summary>
    public const int LongRunningLimit = 100;

    // Shared by every query: the client backends of this database, without the telemetry pool.
    private const string OwnBackends =
        "datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid() AND application_name IS DISTINCT FROM @telemetry";

    private readonly ServerTelemetryOptions _options = options.Value;

    public TimeSpan LongRunningThreshold => _options.LongRunningThreshold;

    public async Task<ServerStats> ReadStatsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"""
            SELECT current_setting('max_connections')::int,
                   count(*) FILTER (WHERE state = 'active' AND wait_event_type IS DISTINCT FROM 'Lock'),
                   count(*) FILTER (WHERE state = 'idle'),
                   count(*) FILTER (WHERE state IN ('idle in transaction', 'idle in transaction (aborted)')),
                   count(*) FILTER (WHERE wait_event_type = 'Lock'),
                   count(*)
            FROM pg_stat_activity
            WHERE {OwnBackends}
            """,
            connection);
        command.Parameters.AddWithValue("telemetry", TelemetryDataSource.ApplicationName);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new ServerStats(
            time.GetUtcNow(),
            reader.GetInt32(0),
            (int)reader.GetInt64(1),
            (int)reader.GetInt64(2),
            (int)reader.GetInt64(3),
            (int)reader.GetInt64(4),
            (int)reader.GetInt64(5));
    }

    /// <summary>Active queries running longer than <paramref name="threshold"/> (the configured one when null), longest first.</summary>
    public async Task<IReadOnlyList<LongRunningQuery>> LongRunningAsync(TimeSpan? threshold, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"""
            SELECT pid,
                   extract(epoch FROM clock_timestamp() - query_start)::float8 * 1000,
                   state,
                   CASE WHEN wait_event_type IS NULL THEN NULL ELSE wait_event_type || ': ' || wait_event END,
                   left(query, @maxLength),
                   application_name
            FROM pg_stat_activity
            WHERE {OwnBackends}
              AND state = 'active' AND clock_timestamp() - query_start > @threshold
            ORDER BY query_start
            LIMIT {LongRunningLimit}
            """,
            connection);
        command.Parameters.AddWithValue("telemetry", TelemetryDataSource.ApplicationName);
        command.Parameters.AddWithValue("maxLength", _options.CommandTextMaxLength);
        command.Parameters.AddWithValue("threshold", threshold ?? _options.LongRunningThreshold);
        var queries = new List<LongRunningQuery>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            queries.Add(new LongRunningQuery(
                reader.GetInt32(0),
                Math.Round(reader.GetDouble(1), 1),
                reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? "" : reader.GetString(4),
                reader.IsDBNull(5) ? "" : reader.GetString(5)));
        }
        return queries;
    }

    /// <summary>Asks the backend to cancel its current query (pg_cancel_backend); the connection stays.</summary>
    public Task<BackendSignal> CancelAsync(int pid, CancellationToken cancellationToken) =>
        SignalAsync("pg_cancel_backend", pid, cancellationToken);

    /// <summary>Ends the backend and its connection (pg_terminate_backend).</summary>
    public Task<BackendSignal> TerminateAsync(int pid, CancellationToken cancellationToken) =>
        SignalAsync("pg_terminate_backend", pid, cancellationToken);

    // The check and the signal are one statement, so a pid of another database or a server
    // process (the checkpointer, a WAL sender...) is never signalled.
    private async Task<BackendSignal> SignalAsync(string function, int pid, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"SELECT {function}(pid) FROM pg_stat_activity WHERE pid = @pid AND datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()",
            connection);
        command.Parameters.AddWithValue("pid", pid);
        try
        {
            // No row: not a backend of this database; false: it ended between the check and the signal.
            return await command.ExecuteScalarAsync(cancellationToken) is true ? BackendSignal.Sent : BackendSignal.NotABackend;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            return BackendSignal.NotPermitted;
        }
    }
}
