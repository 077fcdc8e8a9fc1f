using ExamConsole.Api.Fleet;
using ExamConsole.Api.Resilience;
using ExamConsole.Data.Pool;

namespace ExamConsole.Console.Model;

/// <summary>A condition an operator must not miss, as the console's banner shows it.</summary>
public sealed record ConsoleAlert(string Kind, string Message);

/// <summary>
/// The conditions of deploy/prometheus/alerts.yml, judged on this node's live figures for the
/// banner every signed-in operator sees: the pool red for <see cref="RedFor"/>, acquisition p99 over
/// its target, the circuit open, the spool growing; and, from the fleet's heartbeats, a node that
/// went silent without leaving (a node that stopped cleanly said so and is not an alert).
/// </summary>
public static class ConsoleAlerts
{
    public const string PoolRed = "pool-red";
    public const string AcquireSlow = "acquire-slow";
    public const string CircuitOpen = "circuit-open";
    public const string SpoolGrowing = "spool-growing";
    public const string NodeNotAlive = "node-not-alive";

    /// <summary>How long the pool must stay red: a moment's burst is not an alert.</summary>
    public static readonly TimeSpan RedFor = TimeSpan.FromSeconds(30);

    /// <summary>How far back the spool's depth is compared.</summary>
    public static readonly TimeSpan SpoolWindow = TimeSpan.FromSeconds(30);

    public static IReadOnlyList<ConsoleAlert> Evaluate(ConsoleSample? latest, IReadOnlyList<HistoryPoint> history, UtilizationBands bands, double acquireTargetMs)
    {
        if (latest is null)
        {
            return [];
        }
        var alerts = new List<ConsoleAlert>();
        if (RedThroughout(latest.At, history, bands))
        {
            alerts.Add(new(PoolRed, $"Pool in the red band for {RedFor.TotalSeconds:0} s: {latest.Pool.UtilizationPercent:0.#} % of {latest.Pool.MaxSize} connections busy (red above {bands.RedAbovePercent:0} %). See the playbook for high connection usage."));
        }
        if (latest.Pool.AcquireMs.P99 > acquireTargetMs)
        {
            alerts.Add(new(AcquireSlow, $"Connection acquisition p99 {latest.Pool.AcquireMs.P99:0.#} ms, over its {acquireTargetMs:0} ms target."));
        }
        if (latest.Circuit.State is DatabaseResilience.Open or DatabaseResilience.Isolated)
        {
            alerts.Add(new(CircuitOpen, $"Database circuit {latest.Circuit.State}: submissions go to the durable spool ({latest.Circuit.SpoolDepth} queued)."));
        }
        if (SpoolGrew(latest, history) is { } grew)
        {
            alerts.Add(new(SpoolGrowing, $"Spool growing: {latest.Circuit.SpoolDepth} queued, {grew} more than {SpoolWindow.TotalSeconds:0} s ago."));
        }
        return alerts;
    }

    /// <summary>Each node the fleet heard of that is not alive and never said it stopped: it crashed, hangs or lost the database.</summary>
    public static IReadOnlyList<ConsoleAlert> Fleet(FleetResponse? fleet) =>
        fleet is null
            ? []
            : fleet.Nodes.Where(n => !n.Alive && n.StoppedAt is null).OrderBy(n => n.Name, StringComparer.Ordinal).Select(n => new ConsoleAlert(NodeNotAlive,
                $"Node {n.Name} not alive: no heartbeat for {Age(n.HeartbeatAgeSeconds)} (last seen {n.LastSeenAt.UtcDateTime:HH:mm:ss} UTC), and it did not say it stopped. Its share of the pool is not serving.")).ToList();

    private static string Age(double seconds) =>
        seconds < 120 ? $"{seconds:0} s" : seconds < 7200 ? $"{seconds / 60:0} min" : $"{seconds / 3600:0.#} h";

    /// <summary>Every sample of the last <see cref="RedFor"/> red, and the history reaching back that far.</summary>
    private static bool RedThroughout(DateTimeOffset now, IReadOnlyList<HistoryPoint> history, UtilizationBands bands)
    {
        var since = now - RedFor;
        if (history.Count == 0 || history[0].At > since)
        {
            return false;
        }
        for (var i = history.Count - 1; i >= 0 && history[i].At >= since; i--)
        {
            if (bands.BandOf(history[i].UtilizationPercent) != UtilizationBands.Red)
            {
                return false;
            }
        }
        return true;
    }

    private static int? SpoolGrew(ConsoleSample latest, IReadOnlyList<HistoryPoint> history)
    {
        var since = latest.At - SpoolWindow;
        var before = history.LastOrDefault(p => p.At <= since);
        var grew = latest.Circuit.SpoolDepth - (before?.SpoolDepth ?? 0);
        return before is not null && latest.Circuit.SpoolDepth > 0 && grew > 0 ? grew : null;
    }
}
