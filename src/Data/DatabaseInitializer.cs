using System.Diagnostics;
using ExamConsole.Data.Admin;
using ExamConsole.Data.Bouncer;
using ExamConsole.Data.Maintenance;
using ExamConsole.Data.Pool;
using ExamConsole.Data.Seeding;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ExamConsole.Data;

/// <summary>
/// Brings the database to the current schema, creates the first administrators from configuration
/// and makes the demo data complete. Schema and seed work run on maintenance connections, with
/// timeouts sized for them instead of the request path's.
/// </summary>
public sealed partial class DatabaseInitializer(
    MaintenanceDatabase maintenance,
    AdminSeeder adminSeeder,
    DemoSeeder seeder,
    IOptions<DatabaseOptions> databaseOptions,
    IOptions<SeedOptions> seedOptions,
    IOptions<PoolSettings> poolSettings,
    DatabaseRoute route,
    BouncerReader bouncer,
    ILogger<DatabaseInitializer> logger)
{
    /// <summary>pg_advisory_lock key of the migrations ("ExamMigr" in ASCII).</summary>
    private const long MigrationLockKey = 0x4578616D4D696772;

    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        if (databaseOptions.Value.MigrateOnStart)
        {
            var migrating = Stopwatch.StartNew();
            await using var connection = await maintenance.OpenAsync(cancellationToken);
            await using var context = maintenance.CreateContext(connection);
            // Nodes of a fleet start together against one database: on a fresh one each would create the
            // same tables (42P07). One migrates; the others wait here and find the schema current. The lock
            // is the session's, so it goes with this unpooled connection even if the process dies.
            await using (var lockCommand = new NpgsqlCommand($"SELECT pg_advisory_lock({MigrationLockKey})", connection))
            {
                await lockCommand.ExecuteNonQueryAsync(cancellationToken);
            }
            // MigrateAsync checks for the history table itself (asking for pending migrations first would
            // log a failed query on a fresh database) and does nothing when the schema is current.
            await context.Database.MigrateAsync(cancellationToken);
            var applied = (await context.Database.GetAppliedMigrationsAsync(cancellationToken)).ToList();
            LogMigrated(applied.Count, applied.LastOrDefault() ?? "-", migrating.Elapsed.TotalSeconds);
        }
        if (route.ThroughBouncer)
        {
            await EnsureRoleStatementTimeoutAsync(cancellationToken);
        }
        await adminSeeder.EnsureAccountsAsync(cancellationToken);
        if (seedOptions.Value.OnStart)
        {
            await seeder.EnsureAsync(cancellationToken);
        }
    }

    // PgBouncer refuses the startup option that carries statement_timeout when direct: the role's setting in the database carries it.
    private async Task EnsureRoleStatementTimeoutAsync(CancellationToken cancellationToken)
    {
        var timeout = poolSettings.Value.StatementTimeout;
        bool changed;
        await using (var connection = await maintenance.OpenAsync(cancellationToken))
        {
            changed = await RoleStatementTimeout.EnsureAsync(connection, timeout, cancellationToken);
        }
        if (!changed)
        {
            return;
        }
        LogRoleTimeoutSet((long)timeout.TotalMilliseconds);
        try
        {
            // Backends PgBouncer opened before the change keep the old value: have it replace them as they come free.
            await bouncer.ReconnectAsync(cancellationToken);
        }
        catch (Exception ex) when (BouncerConsole.IsUnavailable(ex) && !cancellationToken.IsCancellationRequested)
        {
            LogReconnectFailed(ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Behind PgBouncer: the role's statement_timeout in this database set to {Milliseconds} ms (Pool:StatementTimeout)")]
    private partial void LogRoleTimeoutSet(long milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "PgBouncer's RECONNECT after the statement_timeout change failed ({Reason}); backends opened before it keep the old value until PgBouncer's server_lifetime")]
    private partial void LogReconnectFailed(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Database schema current: {Count} migration(s) applied, the last {Last} ({Seconds:F1} s)")]
    private partial void LogMigrated(int count, string last, double seconds);
}
