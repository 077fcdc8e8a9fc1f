using ExamConsole.Api.Admission;
using ExamConsole.Api.Fleet;
using ExamConsole.Api.Resilience;
using ExamConsole.Api.Submissions;
using ExamConsole.Data.Admin;
using ExamConsole.Data.Fleet;
using ExamConsole.Data.Pool;
using ExamConsole.Data.Telemetry;
using Microsoft.Extensions.Logging;

namespace ExamConsole.Api.Admin;

/// <summary>The circuit as the operator API and the console show it.</summary>
public sealed record CircuitStatus(string State, int SpoolDepth, DateTimeOffset? OldestQueuedAt, bool ForceFallback);

/// <summary>
/// Every change an operator can make, in one place: the operator API and the console call these
/// same methods, and each one is written to the audit log with who, before and after (a refused
/// resize too). Settings (pool budget, acquire timeout, throttle, circuit, forced fallback) are
/// changes of the fleet's desired state (<see cref="FleetChanges"/>): in force here when the call
/// returns and on every live node within a second; the audit entry carries the version, and when
/// each node applied it. Draining the spool and signalling a backend act on this node.
/// </summary>
public sealed class OperatorActions
{
    public const string SystemActor = "system";

    private readonly IPoolEngine _pool;
    private readonly IAdmissionLimits _admission;
    private readonly ICircuitControl _circuit;
    private readonly ISubmissionFallback _fallback;
    private readonly IAuditLog _audit;
    private readonly IBackendSignals _backends;
    private readonly IFleetSettings _fleet;
    private readonly ILogger _logger;

    public OperatorActions(
        IPoolEngine pool,
        IAdmissionLimits admission,
        ICircuitControl circuit,
        ISubmissionFallback fallback,
        IAuditLog audit,
        IBackendSignals backends,
        IFleetSettings fleet,
        ILoggerFactory loggers)
    {
        _fleet = fleet;
        _pool = pool;
        _admission = admission;
        _circuit = circuit;
        _fallback = fallback;
        _audit = audit;
        _backends = backends;
        _logger = loggers.CreateLogger(AdminLog.Category);
        // The breaker's own changes are audited too, with the system as their actor.
        _circuit.StateChanged += (state, actor) =>
        {
            if (actor is null)
            {
                _ = AdminChanges.RecordAsync(_audit, _logger, SystemActor, "circuit." + state, null, new { state });
            }
        };
    }

    /// <summary>This node's pool (its share in MaxSize) with the fleet's budget and the live nodes it is split over.</summary>
    public PoolSnapshot Pool() => _pool.Snapshot() with { FleetMaxSize = _fleet.FleetMaxSize, FleetNodes = _fleet.LiveNodes };

    /// <summary>How many live nodes a change reaches (this one included).</summary>
    public int LiveNodes => _fleet.LiveNodes;

    /// <summary>What the server lets the pool have, read now.</summary>
    public Task<ServerLimit> ServerLimitAsync(CancellationToken cancellationToken) => _pool.ServerLimitAsync(cancellationToken);

    public AdmissionState Throttle() => _admission.State();

    public CircuitStatus Circuit() => new(_circuit.State, _fallback.SpoolDepth, _fallback.OldestQueuedAt, _fallback.ForceFallback);

    /// <summary>
    /// Sets the fleet's connection budget: <paramref name="maxSize"/> in total, shared equally by
    /// the live nodes, each keeping <paramref name="minSize"/> open. Refused (and audited) when the
    /// total makes no sense, does not fit the server, or leaves a node less than its minimum.
    /// </summary>
    public async Task<PoolSnapshot> ResizePoolAsync(string actor, int maxSize, int minSize, CancellationToken cancellationToken)
    {
        var before = new PoolSize(_fleet.FleetMaxSize, _fleet.MinSizePerNode);
        long? version;
        try
        {
            PoolSizeRule.Ensure(maxSize, minSize, await _pool.ServerLimitAsync(cancellationToken));
            var live = _fleet.LiveNodes;
            if (PoolSizeRule.CheckShare(maxSize, minSize, live) is { } tooSmall)
            {
                throw tooSmall;
            }
            version = await _fleet.ChangeAsync(actor, (s, v) => s with { Pool = new PoolBudget(maxSize, minSize, v) }, cancellationToken);
        }
        catch (Exception refusal) when (refusal is PoolSizeInvalidException or PoolSizeRejectedException or PoolShareRejectedException)
        {
            AdminLog.PoolResizeRefused(_logger, actor, maxSize, minSize, refusal.Message);
            await AdminChanges.RecordAsync(_audit, _logger, actor, PoolApi.ResizeRefusedAction, before, new PoolResizeRefusal(maxSize, minSize, refusal.Message));
            throw;
        }
        var after = Pool();
        AdminLog.PoolResized(_logger, actor, before.MaxSize, before.MinSize, maxSize, minSize);
        await AdminChanges.RecordAsync(_audit, _logger, actor, PoolApi.ResizeAction, before, new PoolSize(maxSize, minSize), version);
        return after;
    }

    public async Task<PoolSnapshot> SetAcquireTimeoutAsync(string actor, TimeSpan acquireTimeout, CancellationToken cancellationToken)
    {
        var before = _pool.Snapshot().Lifecycle.AcquireTimeoutMs;
        var version = await _fleet.ChangeAsync(actor, (s, v) => s with { AcquireTimeout = new AcquireTimeoutSetting(acquireTimeout.TotalMilliseconds, v) }, cancellationToken);
        var after = Pool();
        await AdminChanges.RecordAsync(_audit, _logger, actor, "pool.acquire_timeout", new { acquireTimeoutMs = before }, new { acquireTimeoutMs = after.Lifecycle.AcquireTimeoutMs }, version);
        return after;
    }

    /// <summary>Pins a fixed limit (null lifts it), or releases the limit to follow measured throughput (adaptive, from maxConcurrent or the limit in force).</summary>
    public async Task<AdmissionState> SetThrottleAsync(string actor, AdmissionMode mode, int? maxConcurrent, int? queueLimit)
    {
        var before = _admission.State();
        var version = await _fleet.ChangeAsync(actor, (s, v) => s with { Throttle = new ThrottleSetting(OperatorApi.ModeName(mode), maxConcurrent, queueLimit, v) }, CancellationToken.None);
        var after = _admission.State();
        AdminLog.ThrottleSet(_logger, actor, OperatorApi.ModeName(after.Mode), after.MaxConcurrent, after.QueueLimit);
        await AdminChanges.RecordAsync(_audit, _logger, actor, "throttle.set",
            new { mode = OperatorApi.ModeName(before.Mode), before.MaxConcurrent, before.QueueLimit },
            new { mode = OperatorApi.ModeName(after.Mode), after.MaxConcurrent, after.QueueLimit }, version);
        return after;
    }

    public async Task<CircuitStatus> OpenCircuitAsync(string actor)
    {
        var before = _circuit.State;
        var version = await _fleet.ChangeAsync(actor, (s, v) => s with { Circuit = new CircuitSetting(ForcedOpen: true, v) }, CancellationToken.None);
        await AdminChanges.RecordAsync(_audit, _logger, actor, "circuit.open", new { state = before }, new { state = _circuit.State }, version);
        return Circuit();
    }

    public async Task<CircuitStatus> CloseCircuitAsync(string actor)
    {
        var before = _circuit.State;
        var version = await _fleet.ChangeAsync(actor, (s, v) => s with { Circuit = new CircuitSetting(ForcedOpen: false, v) }, CancellationToken.None);
        await AdminChanges.RecordAsync(_audit, _logger, actor, "circuit.close", new { state = before }, new { state = _circuit.State }, version);
        return Circuit();
    }

    public async Task<CircuitStatus> SetForceFallbackAsync(string actor, bool on)
    {
        var before = _fallback.ForceFallback;
        var version = await _fleet.ChangeAsync(actor, (s, v) => s with { Fallback = new FallbackSetting(on, v) }, CancellationToken.None);
        await AdminChanges.RecordAsync(_audit, _logger, actor, "fallback.force", new { forceFallback = before }, new { forceFallback = _fallback.ForceFallback }, version);
        return Circuit();
    }

    /// <summary>Cancels a backend's statement or terminates the backend; stopping someone's query is audited like any change.</summary>
    public async Task<BackendSignal> SignalBackendAsync(string actor, int pid, bool terminate, CancellationToken cancellationToken)
    {
        var result = terminate ? await _backends.TerminateAsync(pid, cancellationToken) : await _backends.CancelAsync(pid, cancellationToken);
        await AdminChanges.RecordAsync(_audit, _logger, actor, terminate ? "backend.terminate" : "backend.cancel", new { pid }, new { pid, result = result.ToString() });
        return result;
    }

    /// <summary>Replays the spool into PostgreSQL now; returns how many submissions went in.</summary>
    public async Task<int> DrainSpoolAsync(string actor, CancellationToken cancellationToken)
    {
        var before = _fallback.SpoolDepth;
        var replayed = await _fallback.DrainAsync(cancellationToken);
        await AdminChanges.RecordAsync(_audit, _logger, actor, "spool.drain", new { spoolDepth = before }, new { spoolDepth = _fallback.SpoolDepth, replayed });
        return replayed;
    }
}
