namespace ExamConsole.Data.Fleet;

/// <summary>A node's own figures, sent with each heartbeat and shown for the whole fleet.</summary>
public sealed record NodeFigures(
    NodePool Pool,
    NodeAdmission Admission,
    string Circuit,
    int SpoolDepth,
    double RequestsPerSecond,
    IReadOnlyDictionary<string, double> P99ByRoute)
{
    public static NodeFigures Empty { get; } = new(
        new NodePool(0, 0, 0, 0, 0, 0, 0, "green", 0, 0),
        new NodeAdmission("fixed", null, 0, 0, 0),
        "closed", 0, 0, new Dictionary<string, double>());
}

public sealed record NodePool(
    int MaxSize,
    int MinSize,
    int Open,
    int Busy,
    int Idle,
    int Pending,
    double UtilizationPercent,
    string Band,
    double AcquireP99Ms,
    long TimeoutsTotal);

public sealed record NodeAdmission(string Mode, int? Limit, int InFlight, int Queued, long RejectedTotal);

/// <summary>A node as the fleet sees it: registration, liveness by the database's clock, and its last figures.</summary>
public sealed record FleetNode(
    Guid NodeId,
    string Name,
    string Url,
    string Version,
    bool Alive,
    DateTimeOffset StartedAt,
    DateTimeOffset LastSeenAt,
    DateTimeOffset? StoppedAt,
    double HeartbeatAgeSeconds,
    long SettingsVersion,
    NodeFigures Figures);

/// <summary>When one node applied a version of the desired state.</summary>
public sealed record SettingsAcknowledgement(long Version, Guid NodeId, string NodeName, DateTimeOffset AppliedAt);
