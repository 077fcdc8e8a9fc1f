using ExamConsole.Data.Pool;

namespace ExamConsole.Api.Admin;

/// <summary>One step of an emergency procedure: a check to look at, or an action to apply and revert.</summary>
public sealed record PlaybookStep(
    string Id,
    string Procedure,
    int Order,
    string Title,
    bool IsAction,
    bool Applied,
    string Now,
    string? After,
    string Why);

/// <summary>
/// The deployment document's two emergency procedures, "High connection usage (> 70 %)" and "Pool
/// exhaustion", as guided steps over live figures. Each action is one of <see cref="OperatorActions"/>
/// (so audited), remembers what it replaced, and can be reverted.
/// </summary>
public sealed class EmergencyPlaybook(OperatorActions actions, IPoolEngine engine, ILeaseWatch leases)
{
    public const string HighUsage = "high-connection-usage";
    public const string Exhaustion = "pool-exhaustion";

    public const string ReduceConnections = "reduce-connections";
    public const string OpenCircuit = "open-circuit";
    public const string EngageFallback = "engage-fallback";
    public const string ReduceTimeout = "reduce-timeout";
    public const string ScalePool = "scale-pool";

    /// <summary>A temporary reduction keeps this share of the pool.</summary>
    public const double ReductionShare = 0.5;

    /// <summary>The reduced acquire timeout: fail fast so that callers fall back at once.</summary>
    public static readonly TimeSpan ReducedAcquireTimeout = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, object> _replaced = new();

    public async Task<IReadOnlyList<PlaybookStep>> StepsAsync(CancellationToken cancellationToken)
    {
        var pool = actions.Pool();
        var circuit = actions.Circuit();
        var limit = (await engine.ServerLimitAsync(cancellationToken)).Allowed;
        var leaks = leases.SuspectedLeaks().Count;
        Dictionary<string, object> replaced;
        lock (_gate)
        {
            replaced = new(_replaced);
        }
        var total = pool.FleetMaxSize ?? pool.MaxSize;
        var reduced = Math.Max(Math.Max(1, pool.MinSize), (int)Math.Ceiling(total * ReductionShare));
        return
        [
            new(
                "query-performance", HighUsage, 1, "Monitor query performance for bottlenecks", false, false,
                $"acquire p99 {pool.AcquireMs.P99:F1} ms (target 100 ms), hold p99 {pool.HoldMs.P99:F1} ms, utilization {pool.UtilizationPercent:F1} % ({pool.Band})", null,
                "Long holds with short acquires mean slow statements; long acquires with short holds mean too few connections."),
            new(
                "leaks", HighUsage, 2, "Check for connection leaks", false, false,
                $"{leaks} lease(s) held past the leak threshold ({leases.Threshold.TotalSeconds:F0} s)", null,
                "A leaked lease holds a connection that no request uses; the Leaks page shows where it was taken."),
            new(
                "slow-queries", HighUsage, 3, "Analyze slow query logs", false, false,
                "see the Slow queries page (pg_stat_statements and this node's slow commands)", null,
                "The statements with the largest total time are the ones to fix or to cancel."),
            new(
                ReduceConnections, HighUsage, 4, "Consider temporary connection reduction", true, replaced.ContainsKey(ReduceConnections),
                $"max {total} over {pool.FleetNodes ?? 1} node(s), min {pool.MinSize} each", $"max {reduced}, min {Math.Min(pool.MinSize, reduced)}",
                "Fewer connections means less contention on the server; the admission gate queues or sheds the rest."),
            new(
                OpenCircuit, Exhaustion, 1, "Circuit breaker activation", true, replaced.ContainsKey(OpenCircuit),
                $"circuit {circuit.State}", "circuit isolated (open until closed by an operator)",
                "Database work fails fast; submissions go to the durable spool and are answered 202."),
            new(
                EngageFallback, Exhaustion, 2, "Memory queue fallback engagement", true, replaced.ContainsKey(EngageFallback),
                circuit.ForceFallback ? "fallback forced" : $"fallback automatic, spool depth {circuit.SpoolDepth}", "every new submission goes to the spool",
                "The spool is the document's memory queue, made durable: fsync'd on disk before the 202."),
            new(
                ReduceTimeout, Exhaustion, 3, "Connection timeout reduction", true, replaced.ContainsKey(ReduceTimeout),
                $"acquire timeout {pool.Lifecycle.AcquireTimeoutMs:F0} ms", $"acquire timeout {ReducedAcquireTimeout.TotalMilliseconds:F0} ms",
                "Waiters give up sooner, so that requests are shed or spooled instead of piling up."),
            new(
                ScalePool, Exhaustion, 4, "Emergency pool scaling", true, replaced.ContainsKey(ScalePool),
                $"max {total} over {pool.FleetNodes ?? 1} node(s)", $"max {limit} for the fleet (the server's max_connections less the reserve)",
                "The most the server takes; beyond it PostgreSQL refuses connections."),
        ];
    }

    public async Task<IReadOnlyList<PlaybookStep>> ApplyAsync(string stepId, string actor, CancellationToken cancellationToken)
    {
        var pool = actions.Pool();
        var total = pool.FleetMaxSize ?? pool.MaxSize;
        switch (stepId)
        {
            case ReduceConnections:
                var reduced = Math.Max(Math.Max(1, pool.MinSize), (int)Math.Ceiling(total * ReductionShare));
                Remember(stepId, new PoolSize(total, pool.MinSize));
                await actions.ResizePoolAsync(actor, reduced, Math.Min(pool.MinSize, reduced), cancellationToken);
                break;
            case OpenCircuit:
                Remember(stepId, actions.Circuit().State);
                await actions.OpenCircuitAsync(actor);
                break;
            case EngageFallback:
                Remember(stepId, actions.Circuit().ForceFallback);
                await actions.SetForceFallbackAsync(actor, on: true);
                break;
            case ReduceTimeout:
                Remember(stepId, TimeSpan.FromMilliseconds(pool.Lifecycle.AcquireTimeoutMs));
                await actions.SetAcquireTimeoutAsync(actor, ReducedAcquireTimeout, cancellationToken);
                break;
            case ScalePool:
                Remember(stepId, new PoolSize(total, pool.MinSize));
                await actions.ResizePoolAsync(actor, (await engine.ServerLimitAsync(cancellationToken)).Allowed, pool.MinSize, cancellationToken);
                break;
            default:
                throw new KeyNotFoundException($"There is no playbook action '{stepId}'.");
        }
        return await StepsAsync(cancellationToken);
    }

    /// <summary>Puts back what the action replaced.</summary>
    public async Task<IReadOnlyList<PlaybookStep>> RevertAsync(string stepId, string actor, CancellationToken cancellationToken)
    {
        object? previous;
        lock (_gate)
        {
            if (!_replaced.Remove(stepId, out previous))
            {
                throw new InvalidOperationException($"The playbook action '{stepId}' is not applied.");
            }
        }
        switch (previous)
        {
            case PoolSize size:
                await actions.ResizePoolAsync(actor, size.MaxSize, size.MinSize, cancellationToken);
                break;
            case string:
                await actions.CloseCircuitAsync(actor);
                break;
            case bool fallback:
                await actions.SetForceFallbackAsync(actor, fallback);
                break;
            case TimeSpan timeout:
                await actions.SetAcquireTimeoutAsync(actor, timeout, cancellationToken);
                break;
        }
        return await StepsAsync(cancellationToken);
    }

    private void Remember(string stepId, object previous)
    {
        lock (_gate)
        {
            // Applying twice keeps the first value: revert goes back to before the emergency.
            _replaced.TryAdd(stepId, previous);
        }
    }
}
