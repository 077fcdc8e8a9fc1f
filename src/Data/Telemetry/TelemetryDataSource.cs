using System.Globalization;
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
        : this(main.BaseConnectionString, options.Value, loggerFactory)
    {
    }

    public TelemetryDataSource(string baseConnectionString, ServerTelemetryOptions options, ILoggerFactory loggerFactory)
    {
        var seconds = (int)options.QueryTimeout.TotalSeconds;
        var csb = new NpgsqlConnectionStringBuilder(baseConnectionString)
        {
            Pooling = true,
            MaxPoolSize = MaxConnections,
            MinPoolSize = 0,
            ApplicationName = ApplicationName,
            Timeout = seconds,
            CommandTimeout = seconds,
            CancellationTimeout = 1000,
        };
        var statementTimeout = string.Create(CultureInfo.InvariantCulture, $"-c statement_timeout={(long)options.QueryTimeout.TotalMilliseconds}");
        csb.Options = string.IsNullOrWhiteSpace(csb.Options) ? statementTimeout : $"{csb.Options} {statementTimeout}";
        Database = csb.Database;
        // LISTEN holds its connection for the node's life: outside the pool, with TCP keepalives so that
        // a server gone away is noticed within seconds rather than at the next failed write.
        _listenConnectionString = new NpgsqlConnectionStringBuilder(csb.ConnectionString) { Pooling = false, KeepAlive = 5 }.ConnectionString;

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
