using ExamConsole.Api.Admission;
using ExamConsole.Api.Resilience;
using ExamConsole.Api.Submissions;
using ExamConsole.Data.Admin;
using ExamConsole.Data.Pool;
using ExamConsole.Data.Telemetry;
using Microsoft.Extensions.Logging;

namespace ExamConsole.Api.Admin;

/// <summary>The circuit as the operator API and the console show it.</summary>
public sealed record CircuitStatus(string State, int SpoolDepth, DateTimeOffset? OldestQueuedAt, bool ForceFallback);

/// <summary>
/// Every change an operator can make, in one place: the operator API and the console call these
/// same methods, and each one is written to the audit log with who, before and after (a refused
/// resize too). It sees what it acts on through interfaces only.
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
    private readonly ILogger _logger;

    public OperatorActions(
        IPoolEngine pool,
        IAdmissionLimits admission,
        ICircuitControl circuit,
        ISubmissionFallback fallback,
        IAuditLog audit,
        IBackendSignals backends,
        ILoggerFactory loggers)
    {
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

    public PoolSnapshot Pool() => _pool.Snapshot();

    /// <summary>What the server lets the pool have, read now.</summary>
    public Task<ServerLimit> ServerLimitAsync(CancellationToken cancellationToken) => _pool.ServerLimitAsync(cancellationToken);

    public AdmissionState Throttle() => _admission.State();

    public CircuitStatus Circuit() => new(_circuit.State, _fallback.SpoolDepth, _fallback.OldestQueuedAt, _fallback.ForceFallback);

    public async Task<PoolSnapshot> ResizePoolAsync(string actor, int maxSize, int minSize, CancellationToken cancellationToken)
    {
        var before = _pool.Snapshot();
        PoolSnapshot after;
        try
        {
            after = await _pool.ResizeAsync(maxSize, minSize, cancellationToken);
        }
        catch (Exception refusal) when (refusal is PoolSizeInvalidException or PoolSizeRejectedException)
        {
            AdminLog.PoolResizeRefused(_logger, actor, maxSize, minSize, refusal.Message);
            await AdminChanges.RecordAsync(_audit, _logger, actor, PoolApi.ResizeRefusedAction, new PoolSize(before.MaxSize, before.MinSize),
                new PoolResizeRefusal(maxSize, minSize, refusal.Message));
            throw;
        }
        AdminLog.PoolResized(_logger, actor, before.MaxSize, before.MinSize, after.MaxSize, after.MinSize);
        await AdminChanges.RecordAsync(_audit, _logger, actor, PoolApi.ResizeAction, new PoolSize(before.MaxSize, before.MinSize), new PoolSize(after.MaxSize, after.MinSize));
        return after;
    }

    public async Task<PoolSnapshot> SetAcquireTimeoutAsync(string actor, TimeSpan acquireTimeout, CancellationToken cancellationToken)
    {
        var before = _pool.Snapshot().Lifecycle.AcquireTimeoutMs;
        var after = await _pool.SetAcquireTimeoutAsync(acquireTimeout, cancellationToken);
        await AdminChanges.RecordAsync(_audit, _logger, actor, "pool.acquire_timeout", new { acquireTimeoutMs = before }, new { acquireTimeoutMs = after.Lifecycle.AcquireTimeoutMs });
        return after;
    }

    /// <summary>Pins a fixed limit (null lifts it), or releases the limit to follow latency (adaptive, from maxConcurrent or the limit in force).</summary>
    public async Task<AdmissionState> SetThrottleAsync(string actor, AdmissionMode mode, int? maxConcurrent, int? queueLimit)
    {
        var before = _admission.State();
        var after = _admission.Update(mode, maxConcurrent, queueLimit);
        AdminLog.ThrottleSet(_logger, actor, OperatorApi.ModeName(after.Mode), after.MaxConcurrent, after.QueueLimit);
        await AdminChanges.RecordAsync(_audit, _logger, actor, "throttle.set",
            new { mode = OperatorApi.ModeName(before.Mode), before.MaxConcurrent, before.QueueLimit },
            new { mode = OperatorApi.ModeName(after.Mode), after.MaxConcurrent, after.QueueLimit });
        return after;
    }

    public async Task<CircuitStatus> OpenCircuitAsync(string actor)
    {
        var before = _circuit.State;
        await _circuit.OpenAsync(actor);
        await AdminChanges.RecordAsync(_audit, _logger, actor, "circuit.open", new { state = before }, new { state = _circuit.State });
        return Circuit();
    }

    public async Task<CircuitStatus> CloseCircuitAsync(string actor)
    {
        var before = _circuit.State;
        await _circuit.CloseAsync(actor);
        await AdminChanges.RecordAsync(_audit, _logger, actor, "circuit.close", new { state = before }, new { state = _circuit.State });
        return Circuit();
    }

    public async Task<CircuitStatus> SetForceFallbackAsync(string actor, bool on)
    {
        var before = _fallback.ForceFallback;
        _fallback.ForceFallback = on;
        await AdminChanges.RecordAsync(_audit, _logger, actor, "fallback.force", new { forceFallback = before }, new { forceFallback = on });
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
