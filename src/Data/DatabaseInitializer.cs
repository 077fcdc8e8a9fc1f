using ExamConsole.Data.Admin;
using ExamConsole.Data.Seeding;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ExamConsole.Data;

public sealed class DatabaseOptions
{
    public const string SectionName = "Database";

    /// <summary>Apply pending EF Core migrations when the host starts.</summary>
    public bool MigrateOnStart { get; set; } = true;
}

/// <summary>
/// Brings the database to the current schema, creates the first administrators from configuration
/// and seeds the demo data when it is empty.
/// </summary>
public sealed partial class DatabaseInitializer(
    ExamDb db,
    AdminSeeder adminSeeder,
    DemoSeeder seeder,
    IOptions<DatabaseOptions> databaseOptions,
    IOptions<SeedOptions> seedOptions,
    ILogger<DatabaseInitializer> logger)
{
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        if (databaseOptions.Value.MigrateOnStart)
        {
            await using var lease = await db.LeaseAsync(cancellationToken);
            var context = lease.Context;
            // MigrateAsync checks for the history table itself (asking for pending migrations first would
            // log a failed query on a fresh database) and does nothing when the schema is current.
            await context.Database.MigrateAsync(cancellationToken);
            var applied = (await context.Database.GetAppliedMigrationsAsync(cancellationToken)).ToList();
            LogMigrated(applied.Count, applied.LastOrDefault() ?? "-");
        }
        await adminSeeder.EnsureAccountsAsync(cancellationToken);
        if (seedOptions.Value.OnStart)
        {
            await seeder.SeedIfEmptyAsync(cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Database schema current: {Count} migration(s) applied, the last {Last}")]
    private partial void LogMigrated(int count, string last);
}
