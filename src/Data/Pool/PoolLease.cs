using Npgsql;

namespace ExamConsole.Data.Pool;

/// <summary>
/// One connection taken from the pool through the engine: open, timed, tracked for leaks. Dispose
/// it to give the connection back (a second dispose does nothing).
/// </summary>
public sealed class PoolLease : IAsyncDisposable
{
    private readonly PoolLeasing _owner;
    private int _returned;

    internal PoolLease(PoolLeasing owner, PoolGeneration generation, NpgsqlConnection connection, long id, string source, DateTimeOffset takenAt, long takenTimestamp, int backendPid, long uses)
    {
        _owner = owner;
        Generation = generation;
        Connection = connection;
        Id = id;
        Source = source;
        TakenAt = takenAt;
        TakenTimestamp = takenTimestamp;
        BackendPid = backendPid;
        Uses = uses;
    }

    public NpgsqlConnection Connection { get; }

    public long Id { get; }

    /// <summary>Where the lease was taken: the endpoint, else the calling member.</summary>
    public string Source { get; }

    public DateTimeOffset TakenAt { get; }

    public int BackendPid { get; }

    /// <summary>How many leases this backend has served, this one included.</summary>
    public long Uses { get; }

    internal PoolGeneration Generation { get; }

    internal long TakenTimestamp { get; }

    /// <summary>Set once the leak watch has reported this lease as held too long.</summary>
    internal bool ReportedAsLeak { get; set; }

    internal bool Reclaimed { get; set; }

    public ValueTask DisposeAsync() =>
        Interlocked.Exchange(ref _returned, 1) == 0 ? _owner.ReturnAsync(this) : ValueTask.CompletedTask;
}

/// <summary>Where the leases of the current flow are taken (the API sets it to the endpoint).</summary>
public static class LeaseSource
{
    private static readonly AsyncLocal<string?> Ambient = new();

    public static string? Current
    {
        get => Ambient.Value;
        set => Ambient.Value = value;
    }
}

/// <summary>A lease as the leak watch and the console show it.</summary>
public sealed record LeaseInfo(long LeaseId, string Source, DateTimeOffset TakenAt, double HeldSeconds, int BackendPid, int Generation, bool Reclaimed);

/// <summary>Something the leak watch saw: a lease held too long, its return, or its reclaim.</summary>
public sealed record LeakEvent(DateTimeOffset At, string Kind, long LeaseId, string Source, DateTimeOffset TakenAt, double HeldSeconds, int BackendPid)
{
    public const string Held = "held";
    public const string Returned = "returned";
    public const string Reclaimed = "reclaimed";
}
