using ExamConsole.Api.Fleet;
using ExamConsole.Data.Pool;

namespace ExamConsole.Console.Model;

/// <summary>
/// The whole fleet at a glance, added up from the live nodes' last heartbeats (a node that is not
/// alive carries figures of the past, so it counts in <see cref="Listed"/> only). Utilization is the
/// fleet's busy over the fleet's max, banded by the same thresholds as one node's pool.
/// </summary>
public sealed record FleetTotals(
    int LiveNodes,
    int Listed,
    int Open,
    int Busy,
    int Idle,
    int Pending,
    int MaxSize,
    int MinSize,
    double UtilizationPercent,
    string Band,
    double WorstAcquireP99Ms,
    int InFlight,
    int Queued,
    int SpoolDepth,
    double RequestsPerSecond,
    string WorstCircuit,
    long SettingsVersion,
    int NodesBehind)
{
    public static FleetTotals Of(FleetResponse fleet, UtilizationBands bands)
    {
        var live = fleet.Nodes.Where(n => n.Alive).ToList();
        var busy = live.Sum(n => n.Pool.Busy);
        var max = live.Sum(n => n.Pool.MaxSize);
        var utilization = UtilizationBands.Utilization(busy, max);
        return new FleetTotals(
            live.Count,
            fleet.Nodes.Count,
            live.Sum(n => n.Pool.Open),
            busy,
            live.Sum(n => n.Pool.Idle),
            live.Sum(n => n.Pool.Pending),
            max,
            live.Sum(n => n.Pool.MinSize),
            utilization,
            bands.BandOf(utilization),
            live.Count == 0 ? 0 : live.Max(n => n.Pool.AcquireP99Ms),
            live.Sum(n => n.Admission.InFlight),
            live.Sum(n => n.Admission.Queued),
            live.Sum(n => n.SpoolDepth),
            live.Sum(n => n.RequestsPerSecond),
            live.Select(n => n.Circuit).MaxBy(CircuitSeverity) ?? "closed",
            fleet.Settings.Version,
            live.Count(n => n.SettingsVersion < fleet.Settings.Version));
    }

    /// <summary>Closed is best, half open a trial, open or isolated (forced open) worst.</summary>
    public static int CircuitSeverity(string circuit) => circuit switch
    {
        "closed" => 0,
        "half_open" => 1,
        "open" => 2,
        _ => 3,
    };
}
