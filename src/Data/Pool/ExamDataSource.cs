using Microsoft.Extensions.Logging;
using Npgsql;

namespace ExamConsole.Data.Pool;

/// <summary>
/// Owns the node's one named <see cref="NpgsqlDataSource"/> (Npgsql's pool) built from the
/// configured connection string and <see cref="PoolSettings"/>. Npgsql data sources are
/// immutable, so a change of settings builds the next generation; callers always take
/// <see cref="Current"/> and never keep it past one unit of work.
/// </summary>
public sealed class ExamDataSource : IAsyncDisposable
{
    public const string PoolName = "exam";

    private readonly string _baseConnectionString;
    private readonly ILoggerFactory _loggerFactory;
    private Generation _current;

    public ExamDataSource(string baseConnectionString, PoolSettings settings, ILoggerFactory loggerFactory)
    {
        _baseConnectionString = baseConnectionString;
        _loggerFactory = loggerFactory;
        _current = new Generation(1, settings.Clone(), Build(baseConnectionString, settings, loggerFactory));
    }

    public NpgsqlDataSource Current => Volatile.Read(ref _current).DataSource;

    public int GenerationNumber => Volatile.Read(ref _current).Number;

    /// <summary>A copy of the settings in force.</summary>
    public PoolSettings Settings => Volatile.Read(ref _current).Settings.Clone();

    /// <summary>The connection string as configured (with its password, which the data source's own copy drops).</summary>
    public string BaseConnectionString => _baseConnectionString;

    public static NpgsqlConnectionStringBuilder BuildConnectionString(string baseConnectionString, PoolSettings s)
    {
        var csb = new NpgsqlConnectionStringBuilder(baseConnectionString)
        {
            Pooling = true,
            MaxPoolSize = s.MaxSize,
            MinPoolSize = s.MinSize,
            ConnectionIdleLifetime = (int)s.IdleTimeout.TotalSeconds,
            ConnectionPruningInterval = Math.Max(1, (int)s.IdleTimeout.TotalSeconds / 3),
            // Npgsql's Timeout bounds both the wait for a pooled connection and a new connection's handshake.
            Timeout = (int)s.AcquireTimeout.TotalSeconds,
            CommandTimeout = (int)s.QueryTimeout.TotalSeconds,
            // The client gives up at CommandTimeout; tell the server to give up too, a second later at most.
            CancellationTimeout = 1000,
        };
        var statementTimeout = $"-c statement_timeout={(long)s.StatementTimeout.TotalMilliseconds}";
        csb.Options = string.IsNullOrWhiteSpace(csb.Options) ? statementTimeout : $"{csb.Options} {statementTimeout}";
        return csb;
    }

    private static NpgsqlDataSource Build(string baseConnectionString, PoolSettings s, ILoggerFactory loggerFactory)
    {
        var builder = new NpgsqlDataSourceBuilder(BuildConnectionString(baseConnectionString, s).ConnectionString)
        {
            // Without a name, Npgsql's metrics would be tagged with the connection string.
            Name = PoolName,
        };
        builder.UseLoggerFactory(loggerFactory);
        return builder.Build();
    }

    public async ValueTask DisposeAsync() => await Volatile.Read(ref _current).DataSource.DisposeAsync();

    private sealed record Generation(int Number, PoolSettings Settings, NpgsqlDataSource DataSource);
}
