using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ExamConsole.Data.Telemetry;

/// <summary>Reads the server's figures at once and then every <see cref="ServerTelemetryOptions.SampleInterval"/> into <see cref="ServerStatsCache"/>.</summary>
public sealed class ServerStatsSampler(
    ServerView view,
    ServerStatsCache cache,
    IOptions<ServerTelemetryOptions> options,
    TimeProvider time,
    ILogger<ServerStatsSampler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.SampleInterval;
        using var timer = new PeriodicTimer(interval, time);
        do
        {
            await SampleAsync(interval, stoppingToken);
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

    private async Task SampleAsync(TimeSpan interval, CancellationToken stoppingToken)
    {
        // A sample never outlives its interval: a hanging server must not stack samples up.
        using var elapsed = new CancellationTokenSource(interval, time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, elapsed.Token);
        try
        {
            var recovered = cache.LastFailureAt is not null;
            cache.Update(await view.ReadStatsAsync(timeout.Token));
            if (recovered)
            {
                TelemetryLog.SamplingRecovered(logger);
            }
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            // Logged once per outage, not at every tick.
            if (cache.Failed(time.GetUtcNow()))
            {
                TelemetryLog.SamplingFailed(logger, e.GetType().Name, e.Message);
            }
        }
    }
}
