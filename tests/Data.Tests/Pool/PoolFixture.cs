using ExamConsole.Data.Pool;
using ExamConsole.Data.Telemetry;
using ExamConsole.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Npgsql;

namespace ExamConsole.Data.Tests.Pool;

/// <summary>One throwaway cluster for the engine tests; each test builds its own engine on it.</summary>
public sealed class PoolFixture : IAsyncLifetime
{
    private TestPostgres? _postgres;

    public string ConnectionString => _postgres!.ConnectionString;

    public async Task InitializeAsync() => _postgres = await TestPostgres.StartAsync("pool", maxConnections: 120);

    public async Task DisposeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }

    /// <summary>
    /// An engine of its own, tagged with an application name of its own so that its backends can be
    /// counted in pg_stat_activity apart from every other test's.
    /// </summary>
    public EngineHarness CreateEngine(Action<PoolSettings> configure)
    {
        var settings = new PoolSettings { MaxSize = 10, MinSize = 0, IdleTimeout = TimeSpan.FromSeconds(15), ServerReserve = 20 };
        configure(settings);
        Assert.Empty(PoolSettingsValidator.Check(settings));
        var applicationName = $"t-{Guid.NewGuid():N}"[..20];
        var connectionString = new NpgsqlConnectionStringBuilder(ConnectionString) { ApplicationName = applicationName }.ConnectionString;
        return new EngineHarness(connectionString, applicationName, settings, this);
    }

    /// <summary>Backends of <paramref name="applicationName"/> as the server sees them.</summary>
    public async Task<List<int>> BackendPidsAsync(string applicationName)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pid FROM pg_stat_activity WHERE application_name = @app ORDER BY pid", connection);
        command.Parameters.AddWithValue("app", applicationName);
        var pids = new List<int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            pids.Add(reader.GetInt32(0));
        }
        return pids;
    }
}

[CollectionDefinition(Name)]
public sealed class PoolCollection : ICollectionFixture<PoolFixture>
{
    public const string Name = "pool";
}

/// <summary>A process memory figure the test sets.</summary>
public sealed class FakeProcessMemory : IProcessMemory
{
    public double Percent { get; set; } = 10;

    public double LoadPercent() => Percent;
}

/// <summary>An engine with what a test needs to look inside it.</summary>
public sealed class EngineHarness : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly PoolFixture _fixture;

    public EngineHarness(string connectionString, string applicationName, PoolSettings settings, PoolFixture fixture)
    {
        _fixture = fixture;
        ApplicationName = applicationName;
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        Logs = new FakeLogCollector();
        // Each harness listens to Npgsql for its own pool name only, so parallel harnesses do not mix.
        var poolName = ExamDataSource.PoolName;
        Metrics = new NpgsqlPoolMetrics(poolName);
        DataSource = new ExamDataSource(connectionString, settings, LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(Logs))));
        Meters = new PoolMeters(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        AcquireCollector = new MetricCollector<double>(Meters.AcquireDuration);
        // The server side as the host has it: the telemetry pool, its view and the one sampler.
        Telemetry = DataFixture.Telemetry(connectionString);
        var view = DataFixture.View(Telemetry);
        Sampler = DataFixture.Sampler(view);
        Engine = new PoolEngine(DataSource, Metrics, Meters, Memory, Sampler, view, TimeProvider.System, new FakeLogger<PoolEngine>(Logs));
    }

    public string ApplicationName { get; }

    public ExamDataSource DataSource { get; }

    public NpgsqlPoolMetrics Metrics { get; }

    public PoolMeters Meters { get; }

    public PoolEngine Engine { get; }

    public TelemetryDataSource Telemetry { get; }

    public ServerSampler Sampler { get; }

    public FakeProcessMemory Memory { get; } = new();

    public FakeLogCollector Logs { get; }

    public MetricCollector<double> AcquireCollector { get; }

    public Task<List<int>> BackendPidsAsync() => _fixture.BackendPidsAsync(ApplicationName);

    /// <summary>Waits until the server shows <paramref name="count"/> backends of this engine (or fails after the deadline).</summary>
    public Task<List<int>> WaitForBackendsAsync(Func<int, bool> condition, TimeSpan deadline, string what) =>
        Eventually.UntilAsync(BackendPidsAsync, pids => condition(pids.Count), $"backends to become {what}", deadline, pids => $"{pids.Count} backends");

    public async ValueTask DisposeAsync()
    {
        AcquireCollector.Dispose();
        Sampler.Dispose();
        await Telemetry.DisposeAsync();
        await DataSource.DisposeAsync();
        Metrics.Dispose();
        await _services.DisposeAsync();
    }
}
