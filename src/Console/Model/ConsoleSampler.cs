using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ExamConsole.Console.Model;

/// <summary>Samples the live figures into the store once per <see cref="ConsoleOptions.SampleInterval"/>, whether or not a page is open.</summary>
public sealed partial class ConsoleSampler(
    ISampleSource source,
    ConsoleStore store,
    IOptions<ConsoleOptions> options,
    TimeProvider time,
    ILogger<ConsoleSampler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SampleInterval, time);
        var failing = false;
        do
        {
            try
            {
                store.Add(source.Read());
                failing = false;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // Logged once per run of failures, not every second.
                if (!failing)
                {
                    LogSampleFailed(logger, e);
                }
                failing = true;
            }
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "The console could not sample the live figures; retrying every interval")]
    private static partial void LogSampleFailed(ILogger logger, Exception exception);
}
