using ExamConsole.Api.Admin;
using ExamConsole.Api.Admission;
using ExamConsole.Api.Fleet;
using ExamConsole.Data.Admin;
using ExamConsole.Data.Fleet;
using ExamConsole.Data.Pool;
using ExamConsole.Data.Telemetry;
using ExamConsole.Data.Telemetry.Readiness;

namespace ExamConsole.Console.Model;

internal sealed class OperatorControls(OperatorActions actions) : IOperatorControls
{
    public PoolSnapshot Pool() => actions.Pool();

    public AdmissionState Throttle() => actions.Throttle();

    public CircuitStatus Circuit() => actions.Circuit();

    public Task<ServerLimit> ServerLimitAsync(CancellationToken cancellationToken) => actions.ServerLimitAsync(cancellationToken);

    public Task<PoolSnapshot> ResizePoolAsync(string actor, int maxSize, int minSize, CancellationToken cancellationToken) =>
        actions.ResizePoolAsync(actor, maxSize, minSize, cancellationToken);

    public Task<AdmissionState> SetThrottleAsync(string actor, AdmissionMode mode, int? maxConcurrent, int? queueLimit) =>
        actions.SetThrottleAsync(actor, mode, maxConcurrent, queueLimit);

    public Task<CircuitStatus> OpenCircuitAsync(string actor) => actions.OpenCircuitAsync(actor);

    public Task<CircuitStatus> CloseCircuitAsync(string actor) => actions.CloseCircuitAsync(actor);

    public Task<CircuitStatus> SetForceFallbackAsync(string actor, bool on) => actions.SetForceFallbackAsync(actor, on);

    public Task<int> DrainSpoolAsync(string actor, CancellationToken cancellationToken) => actions.DrainSpoolAsync(actor, cancellationToken);
}

internal sealed class PlaybookSteps(EmergencyPlaybook playbook) : IPlaybookSteps
{
    public Task<IReadOnlyList<PlaybookStep>> StepsAsync(CancellationToken cancellationToken) => playbook.StepsAsync(cancellationToken);

    public Task<IReadOnlyList<PlaybookStep>> ApplyAsync(string stepId, string actor, CancellationToken cancellationToken) =>
        playbook.ApplyAsync(stepId, actor, cancellationToken);

    public Task<IReadOnlyList<PlaybookStep>> RevertAsync(string stepId, string actor, CancellationToken cancellationToken) =>
        playbook.RevertAsync(stepId, actor, cancellationToken);
}

internal sealed class ServerInsight(ServerView view, SlowCommandLog log, SlowCommandRecorder recorder, OperatorActions actions) : IServerInsight
{
    public TimeSpan LongRunningThreshold => view.LongRunningThreshold;

    public TimeSpan SlowCommandThreshold => recorder.Threshold;

    public long SlowCommandsTotal => log.TotalRecorded;

    public Task<StatementsReport> TopStatementsAsync(StatementSort sort, int limit, CancellationToken cancellationToken) =>
        view.TopStatementsAsync(sort, limit, cancellationToken);

    public Task<IReadOnlyList<LongRunningQuery>> LongRunningAsync(CancellationToken cancellationToken) =>
        view.LongRunningAsync(null, cancellationToken);

    public IReadOnlyList<SlowCommand> RecentSlowCommands(int max) => log.Recent(max);

    public Task<BackendSignal> CancelAsync(string actor, int pid, CancellationToken cancellationToken) =>
        actions.SignalBackendAsync(actor, pid, terminate: false, cancellationToken);

    public Task<BackendSignal> TerminateAsync(string actor, int pid, CancellationToken cancellationToken) =>
        actions.SignalBackendAsync(actor, pid, terminate: true, cancellationToken);
}

internal sealed class LeakWatch(ILeaseWatch leases) : ILeakWatch
{
    public TimeSpan Threshold => leases.Threshold;

    public int ActiveLeases => leases.ActiveLeases().Count;

    public IReadOnlyList<LeaseInfo> SuspectedLeaks() => leases.SuspectedLeaks();

    public IReadOnlyList<LeakEvent> LeakEvents() => leases.LeakEvents();
}

internal sealed class ReadinessChecks(ReadinessService readiness) : IReadinessChecks
{
    public Task<IReadOnlyList<ReadinessCheck>> EvaluateAsync(CancellationToken cancellationToken) => readiness.EvaluateAsync(cancellationToken);
}

internal sealed class AuditTrail(AuditLog audit) : IAuditTrail
{
    public Task<IReadOnlyList<AuditRecord>> ListAsync(int limit, CancellationToken cancellationToken) => audit.ListAsync(limit, cancellationToken);
}

internal sealed class FleetView(FleetStore store, FleetMembership membership, SettingsApplier applier) : IFleetView
{
    public int LiveNodes => applier.LiveNodes;

    public long AppliedVersion => applier.AppliedVersion;

    public Task<FleetResponse> ReadAsync(CancellationToken cancellationToken) => FleetApi.ReadAsync(store, membership.NodeId, cancellationToken);

    public Task<IReadOnlyList<SettingsAcknowledgement>> AcknowledgementsAsync(long version, CancellationToken cancellationToken) =>
        store.AcknowledgementsAsync([version], cancellationToken);
}

internal sealed class RouteFigures(RouteLatencyRecorder recorder) : IRouteFigures
{
    public (double RequestsPerSecond, IReadOnlyDictionary<string, double> P99ByRoute) Read()
    {
        var routes = recorder.Read();
        return (routes.Sum(r => r.RequestsPerSecond), routes.Where(r => r.Requests > 0).ToDictionary(r => r.Route, r => r.P99Ms));
    }
}

/// <summary>The history's report judges routes by the targets configured for the console.</summary>
internal sealed class ConsoleTargets(Microsoft.Extensions.Options.IOptions<ConsoleOptions> options) : ExamConsole.Api.History.IResponseTimeTargets
{
    public IReadOnlyList<ExamConsole.Api.History.RouteTarget> Targets { get; } =
        [.. options.Value.Targets.Values.Select(t => new ExamConsole.Api.History.RouteTarget(t.Route, t.TargetMs))];
}
