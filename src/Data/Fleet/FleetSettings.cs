namespace ExamConsole.Data.Fleet;

/// <summary>
/// What the operators want every node to run with. Each part records the version at which it was
/// last set, so that a node applies a part only when that part changed (a throttle change does not
/// close a circuit the breaker opened on one node), and a part never set leaves the node's own
/// configuration in force.
/// </summary>
public sealed record FleetSettings
{
    public PoolBudget? Pool { get; init; }

    public AcquireTimeoutSetting? AcquireTimeout { get; init; }

    public ThrottleSetting? Throttle { get; init; }

    public CircuitSetting? Circuit { get; init; }

    public FallbackSetting? Fallback { get; init; }

    public static FleetSettings None { get; } = new();
}

/// <summary>The fleet's connection budget: every live node takes floor(total / live nodes), and keeps <see cref="MinSizePerNode"/> open.</summary>
public sealed record PoolBudget(int TotalMaxSize, int MinSizePerNode, long Version);

public sealed record AcquireTimeoutSetting(double Milliseconds, long Version);

/// <summary>The admission gate's mode (<c>fixed</c> or <c>adaptive</c>) and limits on every node.</summary>
public sealed record ThrottleSetting(string Mode, int? MaxConcurrent, int? QueueLimit, long Version);

/// <summary>Forced open (isolated until closed by an operator), or closed and left to the breaker.</summary>
public sealed record CircuitSetting(bool ForcedOpen, long Version);

public sealed record FallbackSetting(bool Forced, long Version);

/// <summary>A version of the desired state as read from the database.</summary>
public sealed record FleetSettingsVersion(long Version, FleetSettings Settings, DateTimeOffset ChangedAt, string ChangedBy)
{
    public static FleetSettingsVersion Initial { get; } = new(0, FleetSettings.None, DateTimeOffset.UnixEpoch, "system");
}
