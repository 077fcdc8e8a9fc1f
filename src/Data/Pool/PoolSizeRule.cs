using System.Globalization;

namespace ExamConsole.Data.Pool;

/// <summary>What the server lets a pool have: its max_connections less <see cref="PoolSettings.ServerReserve"/>.</summary>
public sealed record ServerLimit(int MaxConnections, int Reserve)
{
    /// <summary>The largest pool the server takes.</summary>
    public int Allowed => MaxConnections - Reserve;
}

/// <summary>
/// The one rule of which pool sizes are acceptable: 1 to <see cref="PoolSettings.MaxSizeLimit"/>
/// connections, a minimum from 0 to the maximum, and no more than the server's limit. The settings
/// validator, the engine, the operator API, the console's dialog and the tests' fakes all ask it,
/// so a refusal reads the same wherever it appears.
/// </summary>
public static class PoolSizeRule
{
    public const string MaxSizeField = "maxSize";
    public const string MinSizeField = "minSize";

    /// <summary>
    /// The bounds' errors by field, named as the caller names them (<c>maxSize</c> in the API,
    /// <c>Pool:MaxSize</c> in configuration); empty when both make sense.
    /// </summary>
    public static Dictionary<string, string[]> CheckBounds(int? maxSize, int? minSize, string maxName = MaxSizeField, string minName = MinSizeField)
    {
        var errors = new Dictionary<string, string[]>();
        var range = $"between 1 and {N(PoolSettings.MaxSizeLimit)}";
        if (maxSize is not { } max)
        {
            errors[maxName] = [$"{maxName} is required: the most connections the pool may hold, {range}."];
        }
        else if (max is < 1 or > PoolSettings.MaxSizeLimit)
        {
            errors[maxName] = [$"{maxName} must be {range} (got {N(max)})."];
        }
        if (minSize is not { } min)
        {
            errors[minName] = [$"{minName} is required: the connections kept open, from 0 to {maxName}."];
        }
        // The minimum is measured against a maximum that makes sense, so that one wrong value gives one error.
        else if (min < 0 || (maxSize is { } m and >= 1 and <= PoolSettings.MaxSizeLimit && min > m))
        {
            var upTo = maxSize is { } top ? $"{maxName} ({N(top)})" : maxName;
            errors[minName] = [$"{minName} must be between 0 and {upTo} (got {N(min)})."];
        }
        return errors;
    }

    /// <summary>The refusal of a maximum above what the server takes, or null when it fits.</summary>
    public static PoolSizeRejectedException? CheckServer(int maxSize, ServerLimit limit) =>
        maxSize > limit.Allowed ? new PoolSizeRejectedException(maxSize, limit.MaxConnections, limit.Reserve) : null;

    /// <summary>
    /// The refusal of a fleet budget that leaves a live node less than one connection or less than
    /// its minimum (each node takes floor(total / live nodes)), or null when it fits.
    /// </summary>
    public static PoolShareRejectedException? CheckShare(int totalMaxSize, int minSizePerNode, int liveNodes)
    {
        var share = totalMaxSize / Math.Max(1, liveNodes);
        return share < Math.Max(1, minSizePerNode) ? new PoolShareRejectedException(totalMaxSize, minSizePerNode, liveNodes) : null;
    }

    /// <summary>Throws the rule's refusal: <see cref="PoolSizeInvalidException"/> for nonsense, <see cref="PoolSizeRejectedException"/> above the server's limit.</summary>
    public static void Ensure(int maxSize, int minSize, ServerLimit limit)
    {
        if (CheckBounds(maxSize, minSize) is { Count: > 0 } errors)
        {
            throw new PoolSizeInvalidException(maxSize, minSize, errors);
        }
        if (CheckServer(maxSize, limit) is { } refusal)
        {
            throw refusal;
        }
    }

    /// <summary>How the server's limit is made up, for an operator about to choose a size.</summary>
    public static string Describe(ServerLimit limit) =>
        $"The server takes at most {N(limit.Allowed)} (max_connections {N(limit.MaxConnections)} less the reserve {N(limit.Reserve)}).";

    internal static string ShareRefusal(int total, int minPerNode, int liveNodes) =>
        $"A budget of {N(total)} connections over {N(liveNodes)} live node(s) gives each {N(total / Math.Max(1, liveNodes))}, " +
        $"less than {(minPerNode > 1 ? $"the minimum of {N(minPerNode)} each keeps open" : "one connection")}. Ask for at least {N(Math.Max(1, minPerNode) * liveNodes)} or a smaller minimum.";

    internal static string Refusal(int requestedMax, int serverMaxConnections, int reserve) =>
        $"A pool of {N(requestedMax)} connections does not fit: the server's max_connections is {N(serverMaxConnections)} and {N(reserve)} are kept in reserve, " +
        $"so at most {N(serverMaxConnections - reserve)}. Raise max_connections on the server or ask for fewer.";

    private static string N(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A pool size that makes no sense (<see cref="PoolSizeRule.CheckBounds"/>), with the errors by field.</summary>
public sealed class PoolSizeInvalidException(int requestedMax, int requestedMin, IReadOnlyDictionary<string, string[]> errors)
    : ArgumentException(string.Join(" ", errors.Values.SelectMany(e => e)))
{
    public int RequestedMax { get; } = requestedMax;
    public int RequestedMin { get; } = requestedMin;
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;
}

/// <summary>A pool size the server cannot take, with the numbers.</summary>
public sealed class PoolSizeRejectedException(int requestedMax, int serverMaxConnections, int reserve)
    : Exception(PoolSizeRule.Refusal(requestedMax, serverMaxConnections, reserve))
{
    public int RequestedMax { get; } = requestedMax;
    public int ServerMaxConnections { get; } = serverMaxConnections;
    public int Reserve { get; } = reserve;
    public int Allowed => ServerMaxConnections - Reserve;
}

/// <summary>A fleet budget too small for the live nodes: each takes floor(total / live nodes) and needs its minimum.</summary>
public sealed class PoolShareRejectedException(int requestedMax, int minSizePerNode, int liveNodes)
    : Exception(PoolSizeRule.ShareRefusal(requestedMax, minSizePerNode, liveNodes))
{
    public int RequestedMax { get; } = requestedMax;
    public int MinSizePerNode { get; } = minSizePerNode;
    public int LiveNodes { get; } = liveNodes;
    public int Share => RequestedMax / Math.Max(1, LiveNodes);
}
