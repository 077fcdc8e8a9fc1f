using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ExamConsole.Data.Telemetry;

/// <summary>The server's figures (max_connections, backends by state) as the pool, the operator views and readiness read them.</summary>
public interface IServerSampler
{
    /// <summary>The newest figures; null until a sample succeeded. Their <c>At</c> tells how old they are.</summary>
    ServerStats? Latest { get; }

    /// <summary>Reads the figures now (for a decision that must not rest on an old sample) and keeps them as the newest.</summary>
    Task<ServerStats> SampleAsync(CancellationToken cancellationToken);
}

/// <summary>
/// The one reader of the server's figures: at start, then every <see cref="ServerTelemetryOptions.SampleInterval"/>,
/// and on demand, always through <see cref="ServerView.ReadStatsAsync"/> on the telemetry pool (the side pool that
/// still answers when the main pool is exhausted). The pool snapshot, /metrics, the console and readiness read its
/// results from <see cref="ServerStatsCache"/>; nothing else asks the server for max_connections.
/// </summary>
public sealed class ServerSampler(
    ServerView view,
    ServerStatsCache cache,
    IOptions<ServerTelemetryOptions> options,
    TimeProvider time,
    ILogger<ServerSampler> logger) : BackgroundService, IServerSampler
{
    public ServerStats? Latest => cache.Latest;

    public async Task<ServerStats> SampleAsync(CancellationToken cancellationToken)
    {
        try
        {
            var recovered = cache.LastFailureAt is not null;
            var stats = await view.ReadStatsAsync(cancellationToken);
            cache.Update(stats);
            if (recovered)
            {
                TelemetryLog.SamplingRecovered(logger);
            }
            return stats;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A caller that gave up is not an outage; a server that failed is.
            Failed(e);
            throw;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.SampleInterval;
        using var timer = new PeriodicTimer(interval, time);
        do
        {
            await SampleOnceAsync(interval, stoppingToken);
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private async Task SampleOnceAsync(TimeSpan interval, CancellationToken stoppingToken)
    {
        // A sample never outlives its interval: a hanging server must not stack samples up.
        using var elapsed = new CancellationTokenSource(interval, time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, elapsed.Token);
        try
        {
            await SampleAsync(timeout.Token);
        }
        catch (OperationCanceledException e) when (!stoppingToken.IsCancellationRequested)
        {
            // The server did not answer within the interval.
            Failed(e);
        }
        catch (Exception) when (!stoppingToken.IsCancellationRequested)
        {
            // Recorded by SampleAsync; the snapshot keeps the last figures until a sample succeeds.
        }
    }

    private void Failed(Exception e)
    {
        // Logged once per outage, not at every tick.
        if (cache.Failed(time.GetUtcNow()))
        {
            TelemetryLog.SamplingFailed(logger, e.GetType().Name, e.Message);
        }
    }
}
