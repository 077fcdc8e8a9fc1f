using System.Collections.Concurrent;
using ExamConsole.Console.Hosting;
using Npgsql;

namespace ExamConsole.Testing;

/// <summary>
/// A throwaway PostgreSQL cluster of the test run: its own folder under .data/test, its own port,
/// started with the same code the host uses in development, deleted afterwards. With
/// EXAMCONSOLE_TEST_PGBOUNCER=1 (test.sh's second pass of the API suite) a real PgBouncer in
/// transaction mode stands in front of it and <see cref="ConnectionString"/> goes through it.
/// </summary>
public sealed class TestPostgres : IAsyncDisposable
{
    /// <summary>The environment variable that puts PgBouncer in front of every test cluster.</summary>
    public const string BouncerVariable = "EXAMCONSOLE_TEST_PGBOUNCER";

    private static readonly ConcurrentDictionary<int, bool> BouncerPorts = new();

    private TestPostgres(LocalPostgres server, LocalPgBouncer? bouncer)
    {
        Server = server;
        Bouncer = bouncer;
    }

    /// <summary>Whether this test run puts PgBouncer in front of its clusters.</summary>
    public static bool ThroughPgBouncer => Environment.GetEnvironmentVariable(BouncerVariable) == "1";

    public LocalPostgres Server { get; }

    /// <summary>PgBouncer in front of <see cref="Server"/>, when <see cref="ThroughPgBouncer"/>.</summary>
    public LocalPgBouncer? Bouncer { get; }

    /// <summary>The project database as the hosts and tests reach it: through PgBouncer when it runs.</summary>
    public string ConnectionString => Bouncer?.ConnectionString ?? Server.ConnectionString;

    /// <summary>Whether <paramref name="connectionString"/> reaches a test PgBouncer (a host on it needs PgBouncer:Enabled).</summary>
    public static bool IsBouncer(string? connectionString) =>
        !string.IsNullOrEmpty(connectionString) && BouncerPorts.ContainsKey(new NpgsqlConnectionStringBuilder(connectionString).Port);

    public static async Task<TestPostgres> StartAsync(string name, int maxConnections = 200, IDictionary<string, string>? settings = null)
    {
        var directory = Path.Combine(RepositoryRoot(), ".data", "test", $"{name}-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        var options = new LocalPostgresOptions
        {
            DataDirectory = directory,
            Port = 0,
            Database = "exam",
            Throwaway = true,
            Settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
            {
                ["max_connections"] = maxConnections.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["shared_buffers"] = "128MB",
            },
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            options.Settings[key] = value;
        }
        var server = await LocalPostgres.StartAsync(options);
        if (!ThroughPgBouncer)
        {
            return new TestPostgres(server, null);
        }
        try
        {
            // Backends for the pool and the session-mode database within the cluster's max_connections, leaving room for the tests' own direct connections.
            var poolSize = Math.Max(10, (maxConnections - 40) / 2);
            var bouncer = await LocalPgBouncer.StartAsync(
                new LocalPgBouncerOptions { Port = 0, DataDirectory = directory + "-bouncer", PoolSize = poolSize, ReservePoolSize = 5, SessionPoolSize = 10, MaxClientConnections = 2000 },
                server.Port,
                "exam",
                fleetBudget: 2000);
            BouncerPorts[bouncer.Port] = true;
            return new TestPostgres(server, bouncer);
        }
        catch
        {
            await server.DestroyAsync();
            throw;
        }
    }

    /// <summary>Creates a database on the cluster (and declares it to PgBouncer in both modes); its connection string as <see cref="ConnectionString"/>'s.</summary>
    public async Task<string> CreateDatabaseAsync(string database)
    {
        await using (var connection = new NpgsqlConnection(Server.ConnectionStringFor("postgres") + ";Pooling=false"))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        if (Bouncer is null)
        {
            return Server.ConnectionStringFor(database);
        }
        await Bouncer.AddDatabaseAsync(database);
        return Bouncer.ConnectionStringFor(database);
    }

    /// <summary>The folder holding ExamConsole.sln.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ExamConsole.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"ExamConsole.sln not found above {AppContext.BaseDirectory}.");
    }

    public async ValueTask DisposeAsync()
    {
        if (Bouncer is not null)
        {
            BouncerPorts.TryRemove(Bouncer.Port, out _);
            await Bouncer.DestroyAsync();
        }
        await Server.DestroyAsync();
    }
}
