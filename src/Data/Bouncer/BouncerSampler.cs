using ExamConsole.Data.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ExamConsole.Data.Bouncer;

/// <summary>PgBouncer's newest figures for the console; <see cref="InPath"/> false when the node connects directly.</summary>
public interface IBouncerFigures
{
    bool InPath { get; }

    /// <summary>The newest figures; null until a read succeeded (or when direct).</summary>
    BouncerFigures? Latest { get; }

    /// <summary>Why the last read failed, while it fails; null after a success.</summary>
    string? LastError { get; }
}

/// <summary>
/// Reads PgBouncer's admin console at the server sampler's interval when PgBouncer is in the path,
/// on a connection of its own: PostgreSQL down or the pool exhausted, PgBouncer still answers, and
/// its waiting clients are what an operator then needs to see.
/// </summary>
public sealed partial class BouncerSampler(BouncerReader reader, IOptions<ServerTelemetryOptions> options, TimeProvider time, ILogger<BouncerSampler> logger)
    : BackgroundService, IBouncerFigures
{
    private BouncerFigures? _latest;
    private volatile string? _lastError;

    public bool InPath => reader.InPath;

    public BouncerFigures? Latest => Volatile.Read(ref _latest);

    public string? LastError => _lastError;

    /// <summary>Reads now and keeps the result as the newest.</summary>
    public async Task<BouncerFigures?> SampleAsync(CancellationToken cancellationToken)
    {
        try
        {
            var figures = await reader.ReadAsync(cancellationToken);
            Volatile.Write(ref _latest, figures);
            if (_lastError is not null)
            {
                LogRecovered(logger);
            }
            _lastError = null;
            return figures;
        }
        catch (Exception e) when (BouncerConsole.IsUnavailable(e) && !cancellationToken.IsCancellationRequested)
        {
            if (_lastError is null)
            {
                LogFailed(logger, e.GetType().Name, e.Message);
            }
            _lastError = $"PgBouncer's admin console did not answer ({e.GetType().Name}: {e.Message})";
            throw;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!reader.InPath)
        {
            return;
        }
        using var timer = new PeriodicTimer(options.Value.SampleInterval, time);
        try
        {
            do
            {
                try
                {
                    await SampleAsync(stoppingToken);
                }
                catch (Exception e) when (BouncerConsole.IsUnavailable(e) && !stoppingToken.IsCancellationRequested)
                {
                    // Kept in LastError and logged once per outage.
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host stops.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "PgBouncer's admin console does not answer: {Type}: {Reason}")]
    private static partial void LogFailed(ILogger logger, string type, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "PgBouncer's admin console answers again")]
    private static partial void LogRecovered(ILogger logger);
}
