namespace ExamConsole.Data.Fleet;

/// <summary>
/// One node of the fleet as it registered and last reported. A node's name is its identity: a node
/// that restarts under the same name takes its row back, so the list holds each node once.
/// </summary>
public sealed class FleetNodeRow
{
    public const int MaxNameLength = 128;
    public const int MaxUrlLength = 512;
    public const int MaxVersionLength = 64;

    public Guid NodeId { get; set; }

    public required string Name { get; set; }

    public required string Url { get; set; }

    public required string Version { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    /// <summary>The database's clock at the last heartbeat.</summary>
    public DateTimeOffset LastSeenAt { get; set; }

    /// <summary>Set when the node stopped on purpose: it is not alive from that moment, not three heartbeats later.</summary>
    public DateTimeOffset? StoppedAt { get; set; }

    /// <summary>The version of the desired state the node last applied.</summary>
    public long SettingsVersion { get; set; }

    /// <summary>jsonb: the node's own figures at its last heartbeat (<see cref="NodeFigures"/>).</summary>
    public string? Figures { get; set; }
}

/// <summary>The desired state of the fleet: one row, one version, changed only through the operator actions.</summary>
public sealed class FleetSettingsRow
{
    public const int SingletonId = 1;

    public int Id { get; set; } = SingletonId;

    public long Version { get; set; }

    /// <summary>jsonb: <see cref="FleetSettings"/>.</summary>
    public required string Settings { get; set; }

    public DateTimeOffset ChangedAt { get; set; }

    public required string ChangedBy { get; set; }
}

/// <summary>When a node put a version of the desired state in force.</summary>
public sealed class FleetSettingsApplied
{
    public long Version { get; set; }

    public Guid NodeId { get; set; }

    public required string NodeName { get; set; }

    public DateTimeOffset AppliedAt { get; set; }
}
