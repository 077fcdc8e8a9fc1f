using ExamConsole.Data.Bouncer;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace ExamConsole.Data.Pool;

/// <summary>
/// Owns the node's named <see cref="NpgsqlDataSource"/> (Npgsql's pool, which this project does
/// not rewrite) built from the configured connection string and <see cref="PoolSettings"/>. Npgsql
/// data sources are immutable, so a change of settings builds the next generation; work always
/// takes <see cref="Current"/> and never keeps it past one lease.
/// </summary>
public sealed class ExamDataSource : IAsyncDisposable
{
    public const string PoolName = "exam";

    private readonly DatabaseRoute _route;
    private readonly ILoggerFactory _loggerFactory;
    private readonly Lock _swapGate = new();
    private PoolGeneration _current;

    public ExamDataSource(string baseConnectionString, PoolSettings settings, ILoggerFactory loggerFactory)
        : this(DatabaseRoute.Direct(baseConnectionString), settings, loggerFactory)
    {
    }

    public ExamDataSource(DatabaseRoute route, PoolSettings settings, ILoggerFactory loggerFactory)
    {
        _route = route;
        _loggerFactory = loggerFactory;
        _current = new PoolGeneration(1, settings.Clone(), Build(route, settings, loggerFactory));
    }

    public PoolGeneration Current => Volatile.Read(ref _current);

    public int GenerationNumber => Current.Number;

    /// <summary>A copy of the settings in force.</summary>
    public PoolSettings Settings => Current.Settings.Clone();

    /// <summary>The connection string as configured (with its password, which the data source's own copy drops).</summary>
    public string BaseConnectionString => _route.MainConnectionString;

    /// <summary>Direct or through PgBouncer, and the node's other connection strings.</summary>
    public DatabaseRoute Route => _route;

    /// <summary>Puts <paramref name="settings"/> in force as the next generation and retires the current one.</summary>
    public PoolGeneration Swap(PoolSettings settings)
    {
        PoolGeneration previous, next;
        lock (_swapGate)
        {
            previous = _current;
            next = new PoolGeneration(previous.Number + 1, settings.Clone(), Build(_route, settings, _loggerFactory));
            Volatile.Write(ref _current, next);
        }
        previous.Retire();
        return next;
    }

    public static NpgsqlConnectionStringBuilder BuildConnectionString(string baseConnectionString, PoolSettings s) =>
        BuildConnectionString(DatabaseRoute.Direct(baseConnectionString), s);

    public static NpgsqlConnectionStringBuilder BuildConnectionString(DatabaseRoute route, PoolSettings s)
    {
        var csb = new NpgsqlConnectionStringBuilder(route.MainConnectionString)
        {
            Pooling = true,
            MaxPoolSize = s.MaxSize,
            MinPoolSize = s.MinSize,
            ConnectionIdleLifetime = (int)s.IdleTimeout.TotalSeconds,
            ConnectionPruningInterval = Math.Max(1, (int)s.IdleTimeout.TotalSeconds / 3),
            ConnectionLifetime = (int)s.ConnectionLifetime.TotalSeconds,
            // The engine enforces the acquire timeout to the millisecond; Npgsql's own (whole seconds) is the backstop.
            Timeout = (int)Math.Ceiling(s.AcquireTimeout.TotalSeconds) + 1,
            CommandTimeout = (int)s.QueryTimeout.TotalSeconds,
            // The client gives up at CommandTimeout and asks the server to cancel, waiting at most this for it.
            CancellationTimeout = 1000,
        };
        if (string.IsNullOrEmpty(csb.ApplicationName))
        {
            csb.ApplicationName = "examconsole";
        }
        route.AddStatementTimeout(csb, s.StatementTimeout);
        route.ApplyPoolerRules(csb);
        return csb;
    }

    private static NpgsqlDataSource Build(DatabaseRoute route, PoolSettings s, ILoggerFactory loggerFactory)
    {
        var builder = new NpgsqlDataSourceBuilder(BuildConnectionString(route, s).ConnectionString)
        {
            // Without a name, Npgsql's metrics would be tagged with the connection string. Every generation
            // shares it, so the metrics add up to the node's pool.
            Name = PoolName,
        };
        builder.UseLoggerFactory(loggerFactory);
        return builder.Build();
    }

    public async ValueTask DisposeAsync() => await Current.DataSource.DisposeAsync();
}
