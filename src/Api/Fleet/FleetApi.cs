using ExamConsole.Api.Admin;
using ExamConsole.Data.Fleet;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace ExamConsole.Api.Fleet;

public sealed record FleetNodePool(int MaxSize, int MinSize, int Open, int Busy, int Idle, int Pending, double UtilizationPercent, string Band, double AcquireP99Ms);

public sealed record FleetNodeAdmission(string Mode, int? Limit, int InFlight, int Queued);

public sealed record FleetNodeResponse(
    Guid NodeId,
    string Name,
    string Url,
    string Version,
    bool Alive,
    bool Self,
    DateTimeOffset StartedAt,
    DateTimeOffset LastSeenAt,
    DateTimeOffset? StoppedAt,
    double HeartbeatAgeSeconds,
    long SettingsVersion,
    FleetNodePool Pool,
    FleetNodeAdmission Admission,
    string Circuit,
    int SpoolDepth,
    double RequestsPerSecond,
    IReadOnlyDictionary<string, double> P99ByRoute);

public sealed record FleetThrottleSettings(string Mode, int? MaxConcurrent, int? QueueLimit);

/// <summary>The desired state; a part that is null was never set, and each node runs with its own configuration for it.</summary>
public sealed record FleetSettingsResponse(
    long Version,
    DateTimeOffset ChangedAt,
    string ChangedBy,
    PoolSize? Pool,
    double? AcquireTimeoutMs,
    FleetThrottleSettings? Throttle,
    string? Circuit,
    bool? ForceFallback);

public sealed record FleetResponse(int LiveNodes, int FleetMaxSize, IReadOnlyList<FleetNodeResponse> Nodes, FleetSettingsResponse Settings);

/// <summary><c>GET /api/admin/fleet</c>: every node known (alive or not) and the desired state, from any node.</summary>
public static class FleetApi
{
    public static RouteGroupBuilder MapFleetApi(this IEndpointRouteBuilder admin)
    {
        var group = admin.MapGroup("/fleet").WithTags("Fleet");
        group.MapGet("", GetAsync).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return group;
    }

    public static async Task<Ok<FleetResponse>> GetAsync(FleetStore store, FleetMembership membership, CancellationToken cancellationToken) =>
        TypedResults.Ok(await ReadAsync(store, membership.NodeId, cancellationToken));

    /// <summary>The fleet as the route and the console show it: every node and the desired state, read now.</summary>
    public static async Task<FleetResponse> ReadAsync(FleetStore store, Guid self, CancellationToken cancellationToken)
    {
        var nodes = await store.NodesAsync(cancellationToken);
        var desired = await store.SettingsAsync(cancellationToken);
        return From(nodes, desired, self);
    }

    public static FleetResponse From(IReadOnlyList<FleetNode> nodes, FleetSettingsVersion desired, Guid self)
    {
        var s = desired.Settings;
        var settings = new FleetSettingsResponse(
            desired.Version, desired.ChangedAt, desired.ChangedBy,
            s.Pool is { } p ? new PoolSize(p.TotalMaxSize, p.MinSizePerNode) : null,
            s.AcquireTimeout?.Milliseconds,
            s.Throttle is { } t ? new FleetThrottleSettings(t.Mode, t.MaxConcurrent, t.QueueLimit) : null,
            s.Circuit is { } c ? (c.ForcedOpen ? "open" : "closed") : null,
            s.Fallback?.Forced);
        var live = nodes.Where(n => n.Alive).ToList();
        var fleetMaxSize = s.Pool?.TotalMaxSize ?? live.Sum(n => n.Figures.Pool.MaxSize);
        return new FleetResponse(
            live.Count,
            fleetMaxSize,
            nodes.Select(n => new FleetNodeResponse(
                n.NodeId, n.Name, n.Url, n.Version, n.Alive, n.NodeId == self, n.StartedAt, n.LastSeenAt, n.StoppedAt, n.HeartbeatAgeSeconds, n.SettingsVersion,
                new FleetNodePool(n.Figures.Pool.MaxSize, n.Figures.Pool.MinSize, n.Figures.Pool.Open, n.Figures.Pool.Busy, n.Figures.Pool.Idle,
                    n.Figures.Pool.Pending, n.Figures.Pool.UtilizationPercent, n.Figures.Pool.Band, n.Figures.Pool.AcquireP99Ms),
                new FleetNodeAdmission(n.Figures.Admission.Mode, n.Figures.Admission.Limit, n.Figures.Admission.InFlight, n.Figures.Admission.Queued),
                n.Figures.Circuit, n.Figures.SpoolDepth, n.Figures.RequestsPerSecond, n.Figures.P99ByRoute)).ToList(),
            settings);
    }
}
