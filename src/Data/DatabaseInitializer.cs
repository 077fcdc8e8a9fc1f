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
            var pending = (await context.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            if (pending.Count > 0)
            {
                LogMigrating(pending.Count, string.Join(", ", pending));
                await context.Database.MigrateAsync(cancellationToken);
            }
        }
        await adminSeeder.EnsureAccountsAsync(cancellationToken);
        if (seedOptions.Value.OnStart)
        {
            await seeder.SeedIfEmptyAsync(cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applying {Count} migration(s): {Migrations}")]
    private partial void LogMigrating(int count, string migrations);
}
