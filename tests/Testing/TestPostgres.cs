using ExamConsole.Console.Hosting;


namespace ExamConsole.Testing;

/// <summary>
/// A throwaway PostgreSQL cluster of the test run: its own folder under .data/test, its own port,
/// started with the same code the host uses in development, deleted afterwards.
/// </summary>
public sealed class TestPostgres : IAsyncDisposable
{
    private TestPostgres(LocalPostgres server) => Server = server;

    public LocalPostgres Server { get; }

    public string ConnectionString => Server.ConnectionString;

    public static async Task<TestPostgres> StartAsync(string name, int maxConnections = 200, IDictionary<string, string>? settings = null)
    {
        var options = new LocalPostgresOptions
        {
            DataDirectory = Path.Combine(RepositoryRoot(), ".data", "test", $"{name}-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]),
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
        return new TestPostgres(await LocalPostgres.StartAsync(options));
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

    public async ValueTask DisposeAsync() => await Server.DestroyAsync();
}
