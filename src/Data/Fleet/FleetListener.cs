using ExamConsole.Data.Telemetry;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace ExamConsole.Data.Fleet;

/// <summary>
/// Holds one connection that LISTENs to the fleet's channels and hands each notification to
/// <see cref="RunAsync"/>'s callback. A lost connection is reopened after a pause; since anything
/// announced meanwhile was missed, the callback then hears <see cref="Reconnected"/> so that the
/// node reads the state afresh.
/// </summary>
public sealed partial class FleetListener(TelemetryDataSource database, TimeProvider time, ILogger<FleetListener> logger)
{
    /// <summary>The channel name handed to the callback after a (re)connection, when notifications may have been missed.</summary>
    public const string Reconnected = "";

    private static readonly TimeSpan RetryPause = TimeSpan.FromSeconds(1);

    /// <summary>Listens until <paramref name="cancellationToken"/> ends; <paramref name="onNotification"/> gets (channel, payload) and must return quickly.</summary>
    public async Task RunAsync(Action<string, string> onNotification, CancellationToken cancellationToken)
    {
        var first = true;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = database.CreateListenConnection();
                await connection.OpenAsync(cancellationToken);
                connection.Notification += (_, e) => onNotification(e.Channel, e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {FleetStore.SettingsChannel}; LISTEN {FleetStore.MembersChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(cancellationToken);
                }
                if (!first)
                {
                    Log.ListenRestored(logger);
                }
                first = false;
                onNotification(Reconnected, "");
                while (true)
                {
                    await connection.WaitAsync(cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException or System.IO.IOException)
            {
                Log.ListenLost(logger, ex.Message);
                first = false;
            }
            await Task.Delay(RetryPause, time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 7101, Level = LogLevel.Warning, Message = "Fleet notifications lost ({Reason}); reconnecting. Missed changes are read at the reconnection and caught by the next heartbeat.")]
        public static partial void ListenLost(ILogger logger, string reason);

        [LoggerMessage(EventId = 7102, Level = LogLevel.Information, Message = "Fleet notifications restored.")]
        public static partial void ListenRestored(ILogger logger);
    }
}
