using ExamConsole.Data.Pool;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ExamConsole.Data.Maintenance;

/// <summary>
/// Connections for schema and maintenance work, outside the request pool and its timeouts: one
/// connection at a time, opened for the job and closed after it, with
/// <see cref="DatabaseOptions.MaintenanceTimeout"/> as its limits.
/// </summary>
public sealed class MaintenanceDatabase(ExamDataSource pool, IOptions<DatabaseOptions> options)
{
    public const string ApplicationName = "examconsole-maintenance";

    /// <summary>Grace between the server's statement_timeout and the client giving up, so the server's error comes first.</summary>
    private static readonly TimeSpan ClientGrace = TimeSpan.FromSeconds(30);

    public TimeSpan Timeout => options.Value.MaintenanceTimeout;

    /// <summary>The configured connection string with the maintenance limits instead of the request path's.</summary>
    public string ConnectionString
    {
        get
        {
            // Migrations and the seed hold session advisory locks: behind PgBouncer, its session-mode database.
            var csb = new NpgsqlConnectionStringBuilder(pool.Route.SessionConnectionString)
            {
                Pooling = false,
                ApplicationName = ApplicationName,
                CommandTimeout = (int)(Timeout + ClientGrace).TotalSeconds,
            };
            pool.Route.AddStatementTimeout(csb, Timeout);
            return csb.ConnectionString;
        }
    }

    public async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            if (pool.Route.ThroughBouncer)
            {
                // No startup option passes PgBouncer; in session mode a SET holds until PgBouncer's DISCARD ALL at release.
                await using var set = new NpgsqlCommand(
                    string.Create(System.Globalization.CultureInfo.InvariantCulture, $"SET statement_timeout = {(long)Timeout.TotalMilliseconds}"), connection);
                await set.ExecuteNonQueryAsync(cancellationToken);
            }
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>An EF context of its own (not from the request path's context pool) on <paramref name="connection"/>.</summary>
    public ExamDbContext CreateContext(NpgsqlConnection connection)
    {
        var builder = new DbContextOptionsBuilder<ExamDbContext>()
            .UseNpgsql(connection, npgsql => npgsql.CommandTimeout((int)(Timeout + ClientGrace).TotalSeconds))
            .UseSnakeCaseNamingConvention();
        return new ExamDbContext(builder.Options);
    }
}
