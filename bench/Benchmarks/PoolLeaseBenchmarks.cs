using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using ExamConsole.Console.Hosting;
using ExamConsole.Data.Pool;
using ExamConsole.Data.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ExamConsole.Benchmarks;

/// <summary>
/// What a lease through <see cref="PoolEngine"/> costs on top of Npgsql's own pool: the same
/// connection string, one bare <see cref="NpgsqlDataSource"/> against one engine, on a throwaway
/// cluster. "Lease" is the pool alone; "Select1" puts it next to one round trip. The engine keeps
/// the shipped Pool:MaxUses, so one lease in 15000 also replaces its backend; the "NoRecycle"
/// engine has it off, to tell that share from the bookkeeping's.
/// </summary>
[MemoryDiagnoser]
// Other work on the machine only ever adds time: the median and the minimum say more than the mean there.
[MedianColumn]
[MinColumn]
[Config(typeof(ShortConfig))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class PoolLeaseBenchmarks
{
    private const string Lease = "Lease";
    private const string Select1 = "Select1";

    private LocalPostgres? _postgres;
    private NpgsqlDataSource? _bare;
    private ServiceProvider? _services;
    private NpgsqlPoolMetrics? _metrics;
    private readonly List<(ExamDataSource DataSource, TelemetryDataSource Telemetry)> _engines = [];
    private PoolEngine? _engine;
    private PoolEngine? _engineNoRecycle;

    // The API passes each request's RequestAborted, a token that can be cancelled: so do both sides here.
    private readonly CancellationTokenSource _request = new();

    private NpgsqlDataSource Bare => _bare!;

    private PoolEngine Engine => _engine!;

    private PoolEngine EngineNoRecycle => _engineNoRecycle!;

    [GlobalSetup]
    public async Task StartAsync()
    {
        _postgres = await LocalPostgres.StartAsync(new LocalPostgresOptions
        {
            DataDirectory = Path.Combine(RepositoryRoot(), ".data", "bench", Guid.NewGuid().ToString("N")),
            Port = 0,
            Throwaway = true,
            Settings = { ["max_connections"] = "100" },
        });
        try
        {
            // PoolFixture's settings; everything else (MaxUses, timeouts, leak threshold) the shipped defaults.
            var settings = new PoolSettings { MaxSize = 10, MinSize = 0, IdleTimeout = TimeSpan.FromSeconds(15), ServerReserve = 20 };

            // The very connection string the engine's generation is built from, so that only the engine differs.
            var bareBuilder = new NpgsqlDataSourceBuilder(ExamDataSource.BuildConnectionString(_postgres.ConnectionString, settings).ConnectionString)
            {
                Name = "bench-bare",
            };
            _bare = bareBuilder.Build();

            _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
            _metrics = new NpgsqlPoolMetrics();
            var meters = new PoolMeters(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
            _engine = BuildEngine(_postgres.ConnectionString, settings, meters);
            var noRecycle = settings.Clone();
            noRecycle.MaxUses = int.MaxValue;
            _engineNoRecycle = BuildEngine(_postgres.ConnectionString, noRecycle, meters);

            // One physical connection in each pool before the first measurement.
            await Bare_OpenClose();
            await Engine_AcquireReturn();
            await Engine_AcquireReturn_NoRecycle();
        }
        catch
        {
            await StopAsync();
            throw;
        }
    }

    [GlobalCleanup]
    public async Task StopAsync()
    {
        foreach (var (dataSource, telemetry) in _engines)
        {
            await telemetry.DisposeAsync();
            await dataSource.DisposeAsync();
        }
        _metrics?.Dispose();
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
        if (_bare is not null)
        {
            await _bare.DisposeAsync();
        }
        if (_postgres is not null)
        {
            await _postgres.DestroyAsync();
        }
        _request.Dispose();
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory(Lease)]
    public async Task Bare_OpenClose()
    {
        var connection = await Bare.OpenConnectionAsync(_request.Token);
        await connection.DisposeAsync();
    }

    [Benchmark]
    [BenchmarkCategory(Lease)]
    public async Task Engine_AcquireReturn()
    {
        var lease = await Engine.AcquireAsync("bench", _request.Token);
        await lease.DisposeAsync();
    }

    [Benchmark]
    [BenchmarkCategory(Lease)]
    public async Task Engine_AcquireReturn_NoRecycle()
    {
        var lease = await EngineNoRecycle.AcquireAsync("bench", _request.Token);
        await lease.DisposeAsync();
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory(Select1)]
    public async Task<object?> Bare_OpenSelect1Close()
    {
        var connection = await Bare.OpenConnectionAsync(_request.Token);
        try
        {
            return await SelectOneAsync(connection);
        }
        finally
        {
            await connection.DisposeAsync();
        }
    }

    [Benchmark]
    [BenchmarkCategory(Select1)]
    public async Task<object?> Engine_AcquireSelect1Return()
    {
        var lease = await Engine.AcquireAsync("bench", _request.Token);
        try
        {
            return await SelectOneAsync(lease.Connection);
        }
        finally
        {
            await lease.DisposeAsync();
        }
    }

    private PoolEngine BuildEngine(string connectionString, PoolSettings settings, PoolMeters meters)
    {
        var dataSource = new ExamDataSource(connectionString, settings, NullLoggerFactory.Instance);
        // The engine's side of the server (limit, leak reclaim) goes through the telemetry pool, as in the host.
        var options = new ServerTelemetryOptions();
        var telemetry = new TelemetryDataSource(connectionString, options, NullLoggerFactory.Instance);
        var view = new ServerView(telemetry, Options.Create(options), TimeProvider.System);
        var sampler = new ServerSampler(view, new ServerStatsCache(), Options.Create(options), TimeProvider.System, NullLogger<ServerSampler>.Instance);
        var engine = new PoolEngine(dataSource, _metrics!, meters, new ProcessMemory(), sampler, view, TimeProvider.System, NullLogger<PoolEngine>.Instance);
        _engines.Add((dataSource, telemetry));
        return engine;
    }

    private async Task<object?> SelectOneAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("SELECT 1", connection);
        return await command.ExecuteScalarAsync(_request.Token);
    }

    private static string RepositoryRoot() => BenchHost.RepositoryRoot();

    /// <summary>
    /// ShortRun's shape (one launch, three warm-ups) with 15 measured iterations instead of the
    /// default's up to 100: ShortRun's 3 give an error bar as wide as the mean on a shared two-core
    /// machine, and the five benchmarks still finish in a few minutes.
    /// </summary>
    public class ShortConfig : ManualConfig
    {
        public ShortConfig() => AddJob(Job.ShortRun.WithWarmupCount(3).WithIterationCount(15).WithId("Short15"));
    }
}
