using ExamConsole.Data.Fleet;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ExamConsole.Api.Fleet;

/// <summary>
/// This node's membership of the fleet. At start, before the server takes its first request, it
/// registers and puts the current desired state in force. Then it heartbeats with its figures,
/// applies each new version as soon as it is announced (LISTEN/NOTIFY), re-splits the connection
/// budget when a node joins or dies, and catches a missed announcement by the version the heartbeat
/// reads. On a graceful stop it leaves, so that the others take its share at once.
/// </summary>
public sealed partial class FleetMembership(
    FleetStore store,
    FleetListener listener,
    SettingsApplier applier,
    NodeFiguresSource figures,
    NodeIdentity identity,
    IOptions<FleetOptions> options,
    TimeProvider time,
    ILogger<FleetMembership> logger) : BackgroundService
{
    private TaskCompletionSource _wake = NewWake();
    private volatile bool _refresh;
    private Guid _nodeId;

    /// <summary>This node's id in the registry (empty until it registered).</summary>
    public Guid NodeId => _nodeId;

    public string Name => identity.Name;

    private FleetOptions Options => options.Value;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(Options.StartTimeout);
        try
        {
            await JoinAsync(bounded.Token);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The heartbeat keeps trying; until it gets through, the node serves with its own configuration.
            // Whatever went wrong (the database away, a row it cannot read), a node that serves beats one that does not start.
            Log.JoinFailed(logger, identity.Name, ex.Message);
        }
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_nodeId != Guid.Empty)
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bounded.CancelAfter(TimeSpan.FromSeconds(2));
            try
            {
                await store.LeaveAsync(_nodeId, identity.Name, bounded.Token);
                Log.Left(logger, identity.Name);
            }
            catch (Exception ex)
            {
                // Leaving is a courtesy: whatever stops it (the database away, the pool already disposed by a
                // host shutting down around us), the others see this node silent after three heartbeats.
                Log.LeaveFailed(logger, identity.Name, ex.Message);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var listening = listener.RunAsync(OnNotification, stoppingToken);
        var nextHeartbeat = time.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = nextHeartbeat - time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                var wake = Volatile.Read(ref _wake);
                await Task.WhenAny(wake.Task, Task.Delay(wait, time, stoppingToken));
                if (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
                // A notification after this swap completes the new one, so none is lost (_refresh is read after it).
                Interlocked.CompareExchange(ref _wake, NewWake(), wake);
            }
            try
            {
                if (_nodeId == Guid.Empty)
                {
                    await JoinAsync(stoppingToken);
                }
                else if (_refresh)
                {
                    _refresh = false;
                    await RefreshAsync(stoppingToken);
                }
                if (time.GetUtcNow() >= nextHeartbeat)
                {
                    nextHeartbeat = time.GetUtcNow() + Options.HeartbeatInterval;
                    await HeartbeatAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Never let the loop end (a failed background service stops the host): the settings in force stay.
                Log.HeartbeatFailed(logger, ex.Message);
            }
        }
        await listening;
    }

    private void OnNotification(string channel, string payload)
    {
        _refresh = true;
        Volatile.Read(ref _wake).TrySetResult();
    }

    private async Task JoinAsync(CancellationToken cancellationToken)
    {
        _nodeId = await store.RegisterAsync(identity.Name, identity.Url, NodeIdentity.Version, cancellationToken);
        Log.Joined(logger, identity.Name, identity.Url, _nodeId);
        await RefreshAsync(cancellationToken);
    }

    /// <summary>Reads the desired state and the live nodes, applies them and acknowledges a new version.</summary>
    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var desired = await store.SettingsAsync(cancellationToken);
        var live = await store.LiveNodesAsync(cancellationToken);
        await ApplyAndAcknowledgeAsync(desired, live, cancellationToken);
    }

    /// <summary>
    /// Puts <paramref name="desired"/> in force and records when: every version it covers since the
    /// one in force before (a node that just started acknowledges only the version it found).
    /// </summary>
    public async Task ApplyAndAcknowledgeAsync(FleetSettingsVersion desired, int liveNodes, CancellationToken cancellationToken)
    {
        if (await applier.ApplyAsync(desired, liveNodes, cancellationToken) is { } applied && _nodeId != Guid.Empty)
        {
            var from = applied.After == 0 ? applied.Upto : applied.After + 1;
            await store.AcknowledgeAsync(_nodeId, identity.Name, from, applied.Upto, cancellationToken);
        }
    }

    private async Task HeartbeatAsync(CancellationToken cancellationToken)
    {
        var beat = await store.HeartbeatAsync(_nodeId, applier.AppliedVersion, identity.Url, figures.Read(), cancellationToken);
        if (!beat.Registered)
        {
            // Forgotten (silent for a day) or the table was emptied: join again.
            await JoinAsync(cancellationToken);
        }
        else if (beat.SettingsVersion != applier.AppliedVersion || beat.LiveNodes != applier.LiveNodes)
        {
            if (beat.SettingsVersion > applier.AppliedVersion)
            {
                Log.CaughtUp(logger, applier.AppliedVersion, beat.SettingsVersion);
            }
            await RefreshAsync(cancellationToken);
        }
    }

    private static TaskCompletionSource NewWake() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static bool IsDatabaseFailure(Exception ex) =>
        ex is NpgsqlException or TimeoutException or InvalidOperationException { InnerException: NpgsqlException } or System.Net.Sockets.SocketException;

    private static partial class Log
    {
        [LoggerMessage(EventId = 7120, Level = LogLevel.Information, Message = "Joined the fleet as {Name} ({Url}), node id {NodeId}.")]
        public static partial void Joined(ILogger logger, string name, string url, Guid nodeId);

        [LoggerMessage(EventId = 7121, Level = LogLevel.Warning, Message = "Could not join the fleet as {Name} yet ({Reason}); serving with this node's own configuration and trying again at each heartbeat.")]
        public static partial void JoinFailed(ILogger logger, string name, string reason);

        [LoggerMessage(EventId = 7122, Level = LogLevel.Warning, Message = "Fleet heartbeat failed ({Reason}); the settings in force stay until the database answers.")]
        public static partial void HeartbeatFailed(ILogger logger, string reason);

        [LoggerMessage(EventId = 7123, Level = LogLevel.Warning, Message = "Settings version {Applied} was behind the fleet's {Current}: a notification was missed; caught up at the heartbeat.")]
        public static partial void CaughtUp(ILogger logger, long applied, long current);

        [LoggerMessage(EventId = 7124, Level = LogLevel.Information, Message = "Left the fleet ({Name}).")]
        public static partial void Left(ILogger logger, string name);

        [LoggerMessage(EventId = 7125, Level = LogLevel.Warning, Message = "Could not mark {Name} as stopped ({Reason}); the others will see it silent after three heartbeats.")]
        public static partial void LeaveFailed(ILogger logger, string name, string reason);
    }
}
