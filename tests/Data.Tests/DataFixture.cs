using ExamConsole.Data.Pool;
using ExamConsole.Data.Telemetry;
using ExamConsole.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ExamConsole.Data.Tests;

/// <summary>
/// A throwaway cluster that preloads pg_stat_statements (as the local cluster does), with a
/// max_connections the readiness tests size their pools against. Each test makes its own
/// connections and pools and disposes them.
/// </summary>
public sealed class DataFixture : IAsyncLifetime
{
    /// <summary>Pool max 60 with the default reserve of 200 fits exactly; 61 does not.</summary>
    public const int MaxConnections = 260;

    private TestPostgres? _postgres;

    public string ConnectionString => _postgres!.ConnectionString;

    public async Task InitializeAsync() => _postgres = await TestPostgres.StartAsync("data", MaxConnections);

    public async Task DisposeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }

    public string ConnectionStringFor(string database) => _postgres!.Server.ConnectionStringFor(database);

    public static TelemetryDataSource Telemetry(string connectionString, ServerTelemetryOptions? options = null) =>
        new(connectionString, options ?? new ServerTelemetryOptions(), NullLoggerFactory.Instance);

    public static ServerView View(TelemetryDataSource telemetry, ServerTelemetryOptions? options = null, TimeProvider? time = null) =>
        new(telemetry, Options.Create(options ?? new ServerTelemetryOptions()), time ?? TimeProvider.System);

    public static ServerSampler Sampler(ServerView view, ServerTelemetryOptions? options = null, TimeProvider? time = null) =>
        new(view, new ServerStatsCache(), Options.Create(options ?? new ServerTelemetryOptions()), time ?? TimeProvider.System, NullLogger<ServerSampler>.Instance);

    public static ExamDataSource Pool(string connectionString, PoolSettings settings) =>
        new(connectionString, settings, NullLoggerFactory.Instance);

    /// <summary>An open connection of its own, named so that a test can find its backend.</summary>
    public async Task<NpgsqlConnection> OpenAsync(string applicationName, string? database = null)
    {
        var csb = new NpgsqlConnectionStringBuilder(database is null ? ConnectionString : ConnectionStringFor(database))
        {
            ApplicationName = applicationName,
            Pooling = false,
        };
        var connection = new NpgsqlConnection(csb.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public static async Task<T?> ScalarAsync<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)value;
    }
}

[CollectionDefinition(Name)]
public sealed class DataCollection : ICollectionFixture<DataFixture>
{
    public const string Name = "data";
}

/// <summary>A second, small cluster that does not preload pg_stat_statements and allows few connections.</summary>
public sealed class BareServerFixture : IAsyncLifetime
{
    public const int MaxConnections = 30;

    private TestPostgres? _postgres;

    public string ConnectionString => _postgres!.ConnectionString;

    public async Task InitializeAsync() =>
        _postgres = await TestPostgres.StartAsync("bare", MaxConnections, new Dictionary<string, string> { ["shared_preload_libraries"] = "''" });

    public async Task DisposeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class BareServerCollection : ICollectionFixture<BareServerFixture>
{
    public const string Name = "bare-server";
}
