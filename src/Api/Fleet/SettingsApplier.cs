using ExamConsole.Api.Admission;
using ExamConsole.Api.Resilience;
using ExamConsole.Api.Submissions;
using ExamConsole.Data.Fleet;
using ExamConsole.Data.Pool;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ExamConsole.Api.Fleet;

/// <summary>
/// Puts the fleet's desired state in force on this node: its share of the connection budget, the
/// admission limits, the circuit and the fallback switch. A part is applied only when its own
/// version moved on (or, for the pool, when the number of live nodes changed), so that applying a
/// version twice, or an older read of it, changes nothing. One application at a time.
/// </summary>
public sealed partial class SettingsApplier(
    IPoolEngine pool,
    IAdmissionLimits admission,
    ICircuitControl circuit,
    ISubmissionFallback fallback,
    IOptions<PoolSettings> poolSettings,
    ILogger<SettingsApplier> logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly PoolSettings _configured = poolSettings.Value;
    private long _version;
    private long _poolVersion, _timeoutVersion, _throttleVersion, _circuitVersion, _fallbackVersion;
    private PoolBudget? _budget;
    private int _liveNodes = 1;
    private (int Max, int Min)? _share;
    private (int Max, int Min)? _refused;

    /// <summary>The version of the desired state in force here (0: none yet, the node's own configuration).</summary>
    public long AppliedVersion => Interlocked.Read(ref _version);

    /// <summary>The live nodes the budget was last split over (this one included).</summary>
    public int LiveNodes => Volatile.Read(ref _liveNodes);

    /// <summary>The fleet's total connection budget in force: the operators' or, until they set one, this node's Pool:MaxSize.</summary>
    public int FleetMaxSize => Volatile.Read(ref _budget)?.TotalMaxSize ?? _configured.MaxSize;

    /// <summary>The minimum each node keeps open, as set for the fleet.</summary>
    public int MinSizePerNode => Volatile.Read(ref _budget)?.MinSizePerNode ?? _configured.MinSize;

    /// <summary>Each node's share of <paramref name="total"/> over <paramref name="liveNodes"/>: floor(total / live), at least one connection.</summary>
    public static (int Max, int Min) ShareOf(int total, int minPerNode, int liveNodes)
    {
        var max = Math.Max(1, total / Math.Max(1, liveNodes));
        return (max, Math.Min(minPerNode, max));
    }

    /// <summary>
    /// Applies <paramref name="desired"/> with the budget split over <paramref name="liveNodes"/>.
    /// Returns the versions it put in force, (previous, new], or null when the version did not move on.
    /// </summary>
    public async Task<(long After, long Upto)?> ApplyAsync(FleetSettingsVersion desired, int liveNodes, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var settings = desired.Settings;
            if (settings.Pool is { } budget && budget.Version > _poolVersion)
            {
                _poolVersion = budget.Version;
                Volatile.Write(ref _budget, budget);
            }
            Volatile.Write(ref _liveNodes, Math.Max(1, liveNodes));
            await ApplyShareAsync(cancellationToken);
            if (settings.AcquireTimeout is { } timeout && timeout.Version > _timeoutVersion)
            {
                _timeoutVersion = timeout.Version;
                await pool.SetAcquireTimeoutAsync(TimeSpan.FromMilliseconds(timeout.Milliseconds), cancellationToken);
            }
            if (settings.Throttle is { } throttle && throttle.Version > _throttleVersion)
            {
                _throttleVersion = throttle.Version;
                ApplyThrottle(throttle);
            }
            if (settings.Circuit is { } forced && forced.Version > _circuitVersion)
            {
                _circuitVersion = forced.Version;
                await ApplyCircuitAsync(forced, desired.ChangedBy);
            }
            if (settings.Fallback is { } force && force.Version > _fallbackVersion)
            {
                _fallbackVersion = force.Version;
                fallback.ForceFallback = force.Forced;
            }
            if (desired.Version <= _version)
            {
                return null;
            }
            var previous = Interlocked.Exchange(ref _version, desired.Version);
            Log.Applied(logger, desired.Version, desired.ChangedBy, FleetMaxSize, _share?.Max ?? _configured.MaxSize, LiveNodes);
            return (previous, desired.Version);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Applies a change on this node alone, whatever the versions: what an operator's change does
    /// when the database cannot take it. The next version from the database replaces it.
    /// </summary>
    public async Task ApplyHereAsync(FleetSettings change, string actor, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (change.Pool is { } budget)
            {
                Volatile.Write(ref _budget, budget with { Version = _poolVersion });
                await ApplyShareAsync(cancellationToken);
            }
            if (change.AcquireTimeout is { } timeout)
            {
                await pool.SetAcquireTimeoutAsync(TimeSpan.FromMilliseconds(timeout.Milliseconds), cancellationToken);
            }
            if (change.Throttle is { } throttle)
            {
                ApplyThrottle(throttle);
            }
            if (change.Circuit is { } forced)
            {
                await ApplyCircuitAsync(forced, actor);
            }
            if (change.Fallback is { } force)
            {
                fallback.ForceFallback = force.Forced;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task ApplyShareAsync(CancellationToken cancellationToken)
    {
        var share = ShareOf(FleetMaxSize, MinSizePerNode, LiveNodes);
        if (share == (_share ?? (_configured.MaxSize, _configured.MinSize)) || share == _refused)
        {
            return;
        }
        try
        {
            await pool.ResizeAsync(share.Max, share.Min, cancellationToken);
            _share = share;
            _refused = null;
            Log.ShareChanged(logger, share.Max, share.Min, FleetMaxSize, LiveNodes);
        }
        catch (Exception refusal) when (refusal is PoolSizeInvalidException or PoolSizeRejectedException)
        {
            // Checked against the fleet's total when it was set; a server that lowered max_connections since can still refuse.
            _refused = share;
            Log.ShareRefused(logger, share.Max, share.Min, refusal.Message);
        }
    }

    private void ApplyThrottle(ThrottleSetting throttle) =>
        admission.Update(throttle.Mode == "adaptive" ? AdmissionMode.Adaptive : AdmissionMode.Fixed, throttle.MaxConcurrent, throttle.QueueLimit);

    private Task ApplyCircuitAsync(CircuitSetting forced, string actor) =>
        forced.ForcedOpen ? circuit.OpenAsync(actor) : circuit.CloseAsync(actor);

    private static partial class Log
    {
        [LoggerMessage(EventId = 7110, Level = LogLevel.Information, Message = "Fleet settings version {Version} (by {Actor}) in force: budget {FleetMaxSize} over {LiveNodes} live node(s), this node's share {Share}.")]
        public static partial void Applied(ILogger logger, long version, string actor, int fleetMaxSize, int share, int liveNodes);

        [LoggerMessage(EventId = 7112, Level = LogLevel.Information, Message = "This node's pool is now max {Max}, min {Min}: its share of the fleet's {FleetMaxSize} over {LiveNodes} live node(s).")]
        public static partial void ShareChanged(ILogger logger, int max, int min, int fleetMaxSize, int liveNodes);

        [LoggerMessage(EventId = 7111, Level = LogLevel.Error, Message = "This node's share of the fleet's budget (max {Max}, min {Min}) was refused: {Reason}")]
        public static partial void ShareRefused(ILogger logger, int max, int min, string reason);
    }
}
