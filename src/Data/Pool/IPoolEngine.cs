namespace ExamConsole.Data.Pool;

/// <summary>The pool engine as the operator actions, the console and the gauges use it.</summary>
public interface IPoolEngine
{
    /// <summary>The pool as it is now.</summary>
    PoolSnapshot Snapshot();

    /// <summary>What the server lets this pool have (max_connections less the reserve), read now.</summary>
    Task<ServerLimit> ServerLimitAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Puts a new max and min size in force: builds the next generation, sends new work to it and
    /// retires the old one once its leases return. Returns the snapshot once the new size is in force.
    /// Asks <see cref="PoolSizeRule"/>: throws <see cref="PoolSizeInvalidException"/> for nonsense and
    /// <see cref="PoolSizeRejectedException"/> for a size the server cannot take.
    /// </summary>
    Task<PoolSnapshot> ResizeAsync(int maxSize, int minSize, CancellationToken cancellationToken);

    /// <summary>Puts a new acquire timeout in force, as the next generation.</summary>
    Task<PoolSnapshot> SetAcquireTimeoutAsync(TimeSpan acquireTimeout, CancellationToken cancellationToken);
}

/// <summary>The engine's leak watch as the operator API and the console read it.</summary>
public interface ILeaseWatch
{
    /// <summary>A lease held longer than this is reported (Pool:LeakThreshold in force).</summary>
    TimeSpan Threshold { get; }

    /// <summary>The leases held now, longest first.</summary>
    IReadOnlyList<LeaseInfo> ActiveLeases();

    /// <summary>The leases held past the threshold now, longest first.</summary>
    IReadOnlyList<LeaseInfo> SuspectedLeaks();

    /// <summary>What the leak watch saw lately, newest first.</summary>
    IReadOnlyList<LeakEvent> LeakEvents();
}
