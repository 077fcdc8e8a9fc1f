using ExamConsole.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ExamConsole.Api.Infrastructure;

/// <summary>Ready when the database answers and holds every migration this build knows.</summary>
public sealed class DatabaseHealthCheck(ExamDb db) : IHealthCheck
{
    private volatile bool _migrated;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var lease = await db.LeaseAsync(cancellationToken);
            if (!_migrated)
            {
                var pending = (await lease.Context.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
                if (pending.Count > 0)
                {
                    return HealthCheckResult.Unhealthy($"{pending.Count} migration(s) not applied yet.");
                }
                _migrated = true;
            }
            else
            {
                await using var ping = new Npgsql.NpgsqlCommand("SELECT 1", lease.Connection);
                await ping.ExecuteScalarAsync(cancellationToken);
            }
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The reason goes to the log through the health check publisher, not to the caller.
            return HealthCheckResult.Unhealthy("The database cannot be reached.", ex);
        }
    }
}
