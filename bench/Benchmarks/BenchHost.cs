using ExamConsole.Api;
using ExamConsole.Console.Hosting;
using ExamConsole.Data;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ExamConsole.Benchmarks;

/// <summary>
/// The host's own services (AddExamData and AddExamApi, as Program.cs registers them), built but
/// not started, so that a benchmark measures the very objects and settings the API uses. With a
/// database, a cluster of its own under .data/bench, migrated and seeded by the host's initializer,
/// and destroyed at the end.
/// </summary>
public sealed class BenchHost : IAsyncDisposable
{
    public const string SigningKey = "benchmark-signing-key-of-at-least-32-bytes";

    private readonly LocalPostgres? _postgres;
    private readonly IHost _host;
    private readonly string _spool;

    private BenchHost(LocalPostgres? postgres, (IHost Host, string Spool) built)
    {
        _postgres = postgres;
        (_host, _spool) = built;
    }

    public IServiceProvider Services => _host.Services;

    public string? ConnectionString => _postgres?.ConnectionString;

    /// <summary>
    /// The services without a database (token checks). <paramref name="settings"/> override the
    /// shipped defaults as appsettings entries would.
    /// </summary>
    public static BenchHost WithoutDatabase(IDictionary<string, string?>? settings = null) => new(null, Build(null, settings));

    /// <summary>
    /// A cluster of its own (fsync and full_page_writes on unless <paramref name="throwaway"/>:
    /// commit cost is part of what the batcher is measured for), migrated and seeded.
    /// </summary>
    public static async Task<BenchHost> WithDatabaseAsync(IDictionary<string, string?> settings, bool throwaway)
    {
        var postgres = await LocalPostgres.StartAsync(new LocalPostgresOptions
        {
            DataDirectory = Path.Combine(RepositoryRoot(), ".data", "bench", Guid.NewGuid().ToString("N")),
            Port = 0,
            Throwaway = throwaway,
            Settings = { ["max_connections"] = "100" },
        });
        try
        {
            var host = Build(postgres.ConnectionString, settings);
            await host.Host.Services.GetRequiredService<DatabaseInitializer>().InitializeAsync();
            return new BenchHost(postgres, host);
        }
        catch
        {
            await postgres.DestroyAsync();
            throw;
        }
    }

    private static (IHost Host, string Spool) Build(string? connectionString, IDictionary<string, string?>? settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Benchmark", DisableDefaults = true });
        var spool = Path.Combine(RepositoryRoot(), ".data", "bench", "spool-" + Guid.NewGuid().ToString("N"));
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            [$"ConnectionStrings:{Data.Extensions.ConnectionStringName}"] = connectionString,
            ["Auth:SigningKey"] = SigningKey,
            ["Pool:MaxSize"] = "20",
            ["Pool:MinSize"] = "0",
            ["Pool:ServerReserve"] = "20",
            ["Spool:Directory"] = spool,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }
        builder.Configuration.AddInMemoryCollection(values);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddExamData();
        builder.AddExamApi();
        return (builder.Build(), spool);
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is IAsyncDisposable asyncHost)
        {
            await asyncHost.DisposeAsync();
        }
        else
        {
            _host.Dispose();
        }
        if (_postgres is not null)
        {
            await _postgres.DestroyAsync();
        }
        if (Directory.Exists(_spool))
        {
            Directory.Delete(_spool, recursive: true);
        }
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ExamConsole.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"ExamConsole.sln not found above {AppContext.BaseDirectory}: run the benchmark from the repository.");
    }
}
