using System.Globalization;
using Npgsql;

namespace ExamConsole.Data.Bouncer;

/// <summary>
/// Behind PgBouncer the request path's statement_timeout cannot travel as a startup option (PgBouncer
/// refuses <c>options</c>), so it is the role's setting in the database: every backend PgBouncer opens
/// for this role starts with it. Set at start, only when it differs; existing backends keep what they
/// had until PgBouncer replaces them (<see cref="BouncerReader.ReconnectAsync"/> asks it to).
/// </summary>
public static class RoleStatementTimeout
{
    /// <summary>The role's statement_timeout in this database, in ms, or null when the role has none of its own here.</summary>
    public static async Task<long?> ReadAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT substring(s FROM '^statement_timeout=(.*)$')
            FROM pg_db_role_setting d
            JOIN pg_roles r ON r.oid = d.setrole
            CROSS JOIN LATERAL unnest(d.setconfig) s
            WHERE r.rolname = current_user
              AND d.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND s LIKE 'statement_timeout=%'
            """;
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync(cancellationToken) is string value ? ToMilliseconds(value) : null;
    }

    /// <summary>Makes the role's statement_timeout in this database <paramref name="timeout"/>; true when it changed.</summary>
    public static async Task<bool> EnsureAsync(NpgsqlConnection connection, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var wanted = (long)timeout.TotalMilliseconds;
        if (await ReadAsync(connection, cancellationToken) == wanted)
        {
            return false;
        }
        // ALTER ROLE takes no parameters: the value is a number formatted here, the database name quoted by format().
        var sql = string.Create(CultureInfo.InvariantCulture, $"""
            DO $$ BEGIN
              EXECUTE format('ALTER ROLE CURRENT_USER IN DATABASE %I SET statement_timeout = %s', current_database(), {wanted});
            END $$
            """);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return true;
    }

    /// <summary>A statement_timeout as pg_db_role_setting keeps it ("8000", "8s", "1min") in ms.</summary>
    public static long? ToMilliseconds(string value)
    {
        var text = value.Trim().Trim('\'', '"');
        var digits = new string(text.TakeWhile(char.IsDigit).ToArray());
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return null;
        }
        return text[digits.Length..].Trim() switch
        {
            "" or "ms" => number,
            "s" => number * 1000,
            "min" => number * 60_000,
            "h" => number * 3_600_000,
            "d" => number * 86_400_000,
            "us" => number / 1000,
            _ => null,
        };
    }
}
