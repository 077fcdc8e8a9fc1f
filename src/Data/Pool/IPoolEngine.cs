namespace ExamConsole.Data.Pool;

/// <summary>The pool engine as the operator API and the console use it.</summary>
public interface IPoolEngine
{
    /// <summary>The pool as it is now.</summary>
    PoolSnapshot Snapshot();

    /// <summary>The most connections the server lets this pool have (max_connections less the reserve).</summary>
    Task<int> ServerLimitAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Puts a new max and min size in force: builds the next generation, sends new work to it and
    /// retires the old one once its leases return. Returns the snapshot once the new size is in force.
    /// Throws <see cref="PoolSizeRejectedException"/> for a size the server cannot take.
    /// </summary>
    Task<PoolSnapshot> ResizeAsync(int maxSize, int minSize, CancellationToken cancellationToken);
}

/// <summary>A pool size the server cannot take, with the numbers.</summary>
public sealed class PoolSizeRejectedException(int requestedMax, int serverMaxConnections, int reserve)
    : Exception($"A pool of {requestedMax} connections does not fit: the server's max_connections is {serverMaxConnections} and {reserve} are kept in reserve, so at most {serverMaxConnections - reserve}. Raise max_connections on the server or ask for fewer.")
{
    public int RequestedMax { get; } = requestedMax;
    public int ServerMaxConnections { get; } = serverMaxConnections;
    public int Reserve { get; } = reserve;
    public int Allowed => ServerMaxConnections - Reserve;
}
