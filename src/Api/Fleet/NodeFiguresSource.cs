using ExamConsole.Api.Admin;
using ExamConsole.Api.Admission;
using ExamConsole.Api.Resilience;
using ExamConsole.Api.Submissions;
using ExamConsole.Data.Fleet;
using ExamConsole.Data.Pool;
using Microsoft.Extensions.DependencyInjection;

namespace ExamConsole.Api.Fleet;

/// <summary>The node's request rate and p99 per API route, from whatever keeps them (the console's route recorder).</summary>
public interface IRouteFigures
{
    /// <summary>Requests per second over all API routes, and each route's p99 in milliseconds.</summary>
    (double RequestsPerSecond, IReadOnlyDictionary<string, double> P99ByRoute) Read();
}

/// <summary>The node's own figures for its heartbeat, read from the parts that own them.</summary>
public sealed class NodeFiguresSource(
    IPoolEngine pool,
    IAdmissionLimits admission,
    ICircuitControl circuit,
    ISubmissionFallback fallback,
    IServiceProvider services)
{
    private readonly IRouteFigures? _routes = services.GetService<IRouteFigures>();

    public NodeFigures Read()
    {
        var p = pool.Snapshot();
        var a = admission.State();
        var (rps, p99) = _routes?.Read() ?? (0, new Dictionary<string, double>());
        return new NodeFigures(
            new NodePool(p.MaxSize, p.MinSize, p.Open, p.Busy, p.Idle, p.Pending, p.UtilizationPercent, p.Band, p.AcquireMs.P99, p.TimeoutsTotal),
            new NodeAdmission(OperatorApi.ModeName(a.Mode), a.MaxConcurrent, a.InFlight, a.Queued, a.RejectedTotal),
            circuit.State,
            fallback.SpoolDepth,
            Math.Round(rps, 1),
            p99);
    }
}
