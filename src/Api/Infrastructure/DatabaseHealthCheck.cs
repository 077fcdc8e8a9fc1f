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
            await using var db1 = db.CreateContext();
            if (!_migrated)
            {
                var pending = (await db1.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
                if (pending.Count > 0)
                {
                    return HealthCheckResult.Unhealthy($"{pending.Count} migration(s) not applied yet.");
                }
                _migrated = true;
            }
            else if (!await db1.Database.CanConnectAsync(cancellationToken))
            {
                return HealthCheckResult.Unhealthy("The database does not answer.");
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
