using ExamConsole.Api.Admin;
using ExamConsole.Api.Admission;
using ExamConsole.Api.Fleet;
using ExamConsole.Data.Admin;
using ExamConsole.Data.Fleet;
using ExamConsole.Data.Pool;
using ExamConsole.Data.Telemetry;
using ExamConsole.Data.Telemetry.Readiness;

namespace ExamConsole.Console.Model;

/// <summary>The operator's controls as the console uses them: <see cref="OperatorActions"/>, every change audited.</summary>
public interface IOperatorControls
{
    PoolSnapshot Pool();

    AdmissionState Throttle();

    CircuitStatus Circuit();

    /// <summary>What the server lets the pool have (max_connections less the reserve).</summary>
    Task<ServerLimit> ServerLimitAsync(CancellationToken cancellationToken);

    /// <summary>Asks <see cref="PoolSizeRule"/>: throws <see cref="PoolSizeInvalidException"/> or <see cref="PoolSizeRejectedException"/>, logged and audited.</summary>
    Task<PoolSnapshot> ResizePoolAsync(string actor, int maxSize, int minSize, CancellationToken cancellationToken);

    /// <summary>Fixed: pins maxConcurrent (null lifts it). Adaptive: the limit follows measured throughput from maxConcurrent, or from the limit in force when null.</summary>
    Task<AdmissionState> SetThrottleAsync(string actor, AdmissionMode mode, int? maxConcurrent, int? queueLimit);

    Task<CircuitStatus> OpenCircuitAsync(string actor);

    Task<CircuitStatus> CloseCircuitAsync(string actor);

    Task<CircuitStatus> SetForceFallbackAsync(string actor, bool on);

    Task<int> DrainSpoolAsync(string actor, CancellationToken cancellationToken);
}

/// <summary>The deployment's two emergency procedures, high connection usage (above 70 %) and pool exhaustion (<see cref="EmergencyPlaybook"/>).</summary>
public interface IPlaybookSteps
{
    Task<IReadOnlyList<PlaybookStep>> StepsAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<PlaybookStep>> ApplyAsync(string stepId, string actor, CancellationToken cancellationToken);

    Task<IReadOnlyList<PlaybookStep>> RevertAsync(string stepId, string actor, CancellationToken cancellationToken);
}

/// <summary>What the server and this node say about slow work: statements, slow commands, long-running queries.</summary>
public interface IServerInsight
{
    TimeSpan LongRunningThreshold { get; }

    TimeSpan SlowCommandThreshold { get; }

    long SlowCommandsTotal { get; }

    Task<StatementsReport> TopStatementsAsync(StatementSort sort, int limit, CancellationToken cancellationToken);

    Task<IReadOnlyList<LongRunningQuery>> LongRunningAsync(CancellationToken cancellationToken);

    IReadOnlyList<SlowCommand> RecentSlowCommands(int max);

    Task<BackendSignal> CancelAsync(string actor, int pid, CancellationToken cancellationToken);

    Task<BackendSignal> TerminateAsync(string actor, int pid, CancellationToken cancellationToken);
}

/// <summary>The pool engine's leak watch.</summary>
public interface ILeakWatch
{
    TimeSpan Threshold { get; }

    int ActiveLeases { get; }

    IReadOnlyList<LeaseInfo> SuspectedLeaks();

    IReadOnlyList<LeakEvent> LeakEvents();
}

/// <summary>The pre-deployment checklist (max_connections 8,200: the pool's 8,000 plus a reserve of 200; file limits, memory, monitoring), evaluated live.</summary>
public interface IReadinessChecks
{
    Task<IReadOnlyList<ReadinessCheck>> EvaluateAsync(CancellationToken cancellationToken);
}

/// <summary>The audit log, newest first.</summary>
public interface IAuditTrail
{
    Task<IReadOnlyList<AuditRecord>> ListAsync(int limit, CancellationToken cancellationToken);
}

/// <summary>The fleet as the console shows it: every node from its heartbeats, the desired settings, and who applied which version.</summary>
public interface IFleetView
{
    /// <summary>How many live nodes a change of the fleet's settings reaches (this one included).</summary>
    int LiveNodes { get; }

    /// <summary>The version of the fleet's settings in force on this node.</summary>
    long AppliedVersion { get; }

    /// <summary>What <c>GET /api/admin/fleet</c> answers: every node heard of, alive or not, and the desired settings.</summary>
    Task<FleetResponse> ReadAsync(CancellationToken cancellationToken);

    /// <summary>When each node put <paramref name="version"/> in force, first first.</summary>
    Task<IReadOnlyList<SettingsAcknowledgement>> AcknowledgementsAsync(long version, CancellationToken cancellationToken);
}
