using Npgsql;

namespace ExamConsole.Data.Pool;

/// <summary>
/// One immutable Npgsql data source with the settings it was built from. A resize retires the
/// current generation: it takes no new lease, its idle connections close at once and the data
/// source is disposed when its last lease returns.
/// </summary>
public sealed class PoolGeneration
{
    private readonly Lock _gate = new();
    private int _leases;
    private bool _retired;
    private bool _disposed;

    internal PoolGeneration(int number, PoolSettings settings, NpgsqlDataSource dataSource)
    {
        Number = number;
        Settings = settings;
        DataSource = dataSource;
    }

    public int Number { get; }

    public PoolSettings Settings { get; }

    public NpgsqlDataSource DataSource { get; }

    public int Leases => Volatile.Read(ref _leases);

    public bool IsRetired
    {
        get
        {
            lock (_gate)
            {
                return _retired;
            }
        }
    }

    /// <summary>Counts a lease in; false once retired (take the next generation then).</summary>
    internal bool TryEnter()
    {
        lock (_gate)
        {
            if (_retired)
            {
                return false;
            }
            _leases++;
            return true;
        }
    }

    /// <summary>Counts a lease out; disposes the data source when it was the last of a retired generation.</summary>
    internal void Exit()
    {
        bool dispose;
        lock (_gate)
        {
            _leases--;
            dispose = _retired && _leases == 0 && !_disposed;
            _disposed |= dispose;
        }
        if (dispose)
        {
            DataSource.Dispose();
        }
    }

    internal void Retire()
    {
        bool dispose;
        lock (_gate)
        {
            _retired = true;
            dispose = _leases == 0 && !_disposed;
            _disposed |= dispose;
        }
        // Idle connections close now; busy ones close when they come back.
        DataSource.Clear();
        if (dispose)
        {
            DataSource.Dispose();
        }
    }
}
