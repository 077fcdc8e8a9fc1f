using System.Runtime.CompilerServices;
using ExamConsole.Data.Pool;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ExamConsole.Data;

/// <summary>
/// The way to the database for all application work: a lease from the pool engine (timed, tracked,
/// on the current generation), with an <see cref="ExamDbContext"/> from EF Core's context pool
/// bound to the same connection when EF is wanted.
/// </summary>
public sealed class ExamDb(IDbContextFactory<ExamDbContext> pooledFactory, PoolEngine engine)
{
    public async Task<ExamDbLease> LeaseAsync(
        CancellationToken cancellationToken,
        [CallerMemberName] string caller = "",
        [CallerFilePath] string file = "")
    {
        var source = LeaseSource.Current ?? $"{Path.GetFileNameWithoutExtension(file)}.{caller}";
        return new ExamDbLease(await engine.AcquireAsync(source, cancellationToken), pooledFactory);
    }
}

/// <summary>An open connection of the pool, and an EF context on it on demand. Dispose to give both back.</summary>
public sealed class ExamDbLease(PoolLease lease, IDbContextFactory<ExamDbContext> pooledFactory) : IAsyncDisposable
{
    private ExamDbContext? _context;

    /// <summary>The open connection, for the hot paths' single-trip SQL.</summary>
    public NpgsqlConnection Connection => lease.Connection;

    /// <summary>An EF context on <see cref="Connection"/> (which stays the lease's to close).</summary>
    public ExamDbContext Context
    {
        get
        {
            if (_context is null)
            {
                _context = pooledFactory.CreateDbContext();
                _context.Database.SetDbConnection(lease.Connection, contextOwnsConnection: false);
            }
            return _context;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_context is not null)
        {
            await _context.DisposeAsync();
        }
        await lease.DisposeAsync();
    }
}
