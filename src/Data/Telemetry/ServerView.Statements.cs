using Npgsql;

namespace ExamConsole.Data.Telemetry;

public sealed partial class ServerView
{
    public const int MaxStatements = 100;

    /// <summary>
    /// The top statements of this database from pg_stat_statements. When the extension is not
    /// loaded or not installed, the report says so and how to enable it instead of failing.
    /// </summary>
    public async Task<StatementsReport> TopStatementsAsync(StatementSort sort, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, MaxStatements);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var (schema, preloaded) = await FindExtensionAsync(connection, cancellationToken);
        if (!preloaded)
        {
            return Unavailable(NotPreloadedAdvice);
        }
        if (schema is null)
        {
            return Unavailable(NotInstalledAdvice(connection.Database));
        }
        // The column comes from a fixed list and the schema from the catalog, quoted: nothing of the caller's reaches the text.
        var orderBy = sort switch
        {
            StatementSort.Mean => "mean_exec_time",
            StatementSort.Calls => "calls",
            _ => "total_exec_time",
        };
        await using var command = new NpgsqlCommand(
            $"""
            SELECT left(query, @maxLength), calls, mean_exec_time, total_exec_time
            FROM {QuoteIdentifier(schema)}.pg_stat_statements
            WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
            ORDER BY {orderBy} DESC, queryid
            LIMIT @limit
            """,
            connection);
        command.Parameters.AddWithValue("maxLength", _options.CommandTextMaxLength);
        command.Parameters.AddWithValue("limit", limit);
        var statements = new List<StatementStat>();
        try
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                statements.Add(new StatementStat(
                    reader.IsDBNull(0) ? "" : reader.GetString(0),
                    reader.GetInt64(1),
                    Math.Round(reader.GetDouble(2), 3),
                    Math.Round(reader.GetDouble(3), 3)));
            }
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.ObjectNotInPrerequisiteState or PostgresErrorCodes.UndefinedTable)
        {
            // "must be loaded via shared_preload_libraries": the library list says one thing, the server another (a restart is pending).
            return Unavailable(NotPreloadedAdvice);
        }
        return new StatementsReport(true, null, statements);
    }

    public const string NotPreloadedAdvice =
        "pg_stat_statements is not loaded by the server. Add it to postgresql.conf as " +
        "shared_preload_libraries = 'pg_stat_statements' (keeping any library already listed there), restart PostgreSQL, " +
        "then run CREATE EXTENSION pg_stat_statements; in this database.";

    public static string NotInstalledAdvice(string database) =>
        $"pg_stat_statements is loaded by the server but not installed in the database \"{database}\". " +
        "Run CREATE EXTENSION pg_stat_statements; in it (as a superuser or the database owner); no restart is needed.";

    private static StatementsReport Unavailable(string advice) => new(false, advice, []);

    private static async Task<(string? Schema, bool Preloaded)> FindExtensionAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_stat_statements'),
                   EXISTS (SELECT 1 FROM unnest(string_to_array(current_setting('shared_preload_libraries'), ',')) AS l(name)
                           WHERE trim(both ' "' FROM l.name) = 'pg_stat_statements')
            """,
            connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetBoolean(1));
    }

    private static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
