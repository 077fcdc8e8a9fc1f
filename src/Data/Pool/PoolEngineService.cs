using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace ExamConsole.Data.Pool;

/// <summary>Warms the pool at start and runs the engine's watch once a second.</summary>
public sealed partial class PoolEngineService(PoolEngine engine, TimeProvider time, ILogger<PoolEngineService> logger) : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await engine.WarmAsync(engine.DataSource.Current, stoppingToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            LogWarmFailed(ex.Message);
        }
        using var timer = new PeriodicTimer(Period, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await engine.TickAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogTickFailed(ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not warm the pool at start ({Reason}); the watch tops it up once the database answers")]
    private partial void LogWarmFailed(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The pool engine's watch failed this turn")]
    private partial void LogTickFailed(Exception exception);
}
