using ExamConsole.Data.Bouncer;
using ExamConsole.Data.Pool;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ExamConsole.Data.Telemetry;

/// <summary>
/// A small pool of its own for the operators' views and the fleet's heartbeats and changes, so that
/// they still answer when the main pool is exhausted, which is exactly when they are needed. Its backends carry their own application
/// name so that the server view can leave them out, and its commands are not traced, so that the
/// views and the sampler never show up in the application's slow-command log.
/// </summary>
public sealed class TelemetryDataSource : IAsyncDisposable
{
    public const string Name = "exam-telemetry";
    public const string ApplicationName = "examconsole-telemetry";
    public const int MaxConnections = 4;

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _listenConnectionString;

    public TelemetryDataSource(ExamDataSource main, IOptions<ServerTelemetryOptions> options, ILoggerFactory loggerFactory)
        : this(main.Route, options.Value, loggerFactory)
    {
    }

    public TelemetryDataSource(string baseConnectionString, ServerTelemetryOptions options, ILoggerFactory loggerFactory)
        : this(DatabaseRoute.Direct(baseConnectionString), options, loggerFactory)
    {
    }

    public TelemetryDataSource(DatabaseRoute route, ServerTelemetryOptions options, ILoggerFactory loggerFactory)
    {
        var seconds = (int)options.QueryTimeout.TotalSeconds;
        var csb = new NpgsqlConnectionStringBuilder(route.MainConnectionString)
        {
            Pooling = true,
            MaxPoolSize = MaxConnections,
            MinPoolSize = 0,
            ApplicationName = ApplicationName,
            Timeout = seconds,
            CommandTimeout = seconds,
            CancellationTimeout = 1000,
        };
        // Behind PgBouncer the role's statement_timeout holds (the request path's); the client's CommandTimeout still bounds every query.
        route.AddStatementTimeout(csb, options.QueryTimeout);
        route.ApplyPoolerRules(csb);
        Database = csb.Database;
        // LISTEN holds its connection for the node's life: outside the pool, with TCP keepalives so that
        // a server gone away is noticed within seconds rather than at the next failed write. Behind
        // PgBouncer it goes to the session-mode database: in transaction mode the backend that LISTENed
        // is lent to others after the statement.
        var listen = new NpgsqlConnectionStringBuilder(route.SessionConnectionString)
        {
            Pooling = false,
            KeepAlive = 5,
            ApplicationName = ApplicationName,
            Timeout = seconds,
            CommandTimeout = seconds,
        };
        route.AddStatementTimeout(listen, options.QueryTimeout);
        _listenConnectionString = listen.ConnectionString;

        var builder = new NpgsqlDataSourceBuilder(csb.ConnectionString) { Name = Name };
        builder.UseLoggerFactory(loggerFactory);
        builder.ConfigureTracing(tracing => tracing
            .ConfigureCommandFilter(_ => false)
            .ConfigureBatchFilter(_ => false)
            .EnablePhysicalOpenTracing(false));
        _dataSource = builder.Build();
    }

    /// <summary>The database this pool connects to (null: the user's own).</summary>
    public string? Database { get; }

    public ValueTask<NpgsqlConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        _dataSource.OpenConnectionAsync(cancellationToken);

    /// <summary>A connection of its own, not from the pool, for LISTEN.</summary>
    public NpgsqlConnection CreateListenConnection() => new(_listenConnectionString);

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
