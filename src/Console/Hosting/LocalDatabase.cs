using ExamConsole.Data;
using ExamConsole.Data.Bouncer;
using ExamConsole.Data.Pool;

namespace ExamConsole.Console.Hosting;

/// <summary>The local cluster, and PgBouncer in front of it when asked for; stopped in reverse order.</summary>
public sealed class LocalServers(LocalPostgres postgres, LocalPgBouncer? bouncer) : IAsyncDisposable
{
    public LocalPostgres Postgres { get; } = postgres;

    public LocalPgBouncer? Bouncer { get; } = bouncer;

    /// <summary>What a node is given: through PgBouncer when it runs, else the cluster itself.</summary>
    public string ConnectionString => Bouncer?.ConnectionString ?? Postgres.ConnectionString;

    /// <summary>The settings that point a node at these servers (ConnectionStrings:Exam, and PgBouncer:Enabled behind it). The connection string comes last: scripts/fleet.sh reads the lines once it has seen it.</summary>
    public IEnumerable<KeyValuePair<string, string>> NodeSettings()
    {
        if (Bouncer is not null)
        {
            yield return new($"{PgBouncerOptions.SectionName}:{nameof(PgBouncerOptions.Enabled)}", "true");
        }
        yield return new($"ConnectionStrings:{Extensions.ConnectionStringName}", ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        if (Bouncer is not null)
        {
            await Bouncer.DisposeAsync();
        }
        await Postgres.DisposeAsync();
    }
}

/// <summary>Starts the development cluster when no database is configured, sized for the configured pool, with PgBouncer in front when LocalPgBouncer:Enabled.</summary>
internal static class LocalDatabase
{
    public static async Task<LocalServers?> StartIfUnconfiguredAsync(WebApplicationBuilder builder)
    {
        if (IsConfigured(builder))
        {
            return null;
        }
        using var loggerFactory = LoggerFactory.Create(logging => logging.AddSimpleConsole(o => o.SingleLine = true));
        var servers = await StartAsync(builder, loggerFactory, CancellationToken.None);
        foreach (var (key, value) in servers.NodeSettings())
        {
            builder.Configuration[key] = value;
        }
        return servers;
    }

    public static async Task<LocalServers> StartAsync(WebApplicationBuilder builder, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var bouncerOptions = BouncerOptionsFor(builder);
        var postgres = await LocalPostgres.StartAsync(OptionsFor(builder), loggerFactory.CreateLogger("LocalPostgres"), cancellationToken);
        if (bouncerOptions is null)
        {
            return new LocalServers(postgres, null);
        }
        try
        {
            var pool = PoolFor(builder);
            var bouncer = await LocalPgBouncer.StartAsync(
                bouncerOptions, postgres.Port, postgres.Database, pool.MaxSize + pool.ServerReserve, loggerFactory.CreateLogger("LocalPgBouncer"), cancellationToken);
            return new LocalServers(postgres, bouncer);
        }
        catch
        {
            await postgres.DisposeAsync();
            throw;
        }
    }

    /// <summary>Whether ConnectionStrings:Exam names a server, so that no local cluster is wanted.</summary>
    public static bool IsConfigured(WebApplicationBuilder builder) =>
        !string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(Extensions.ConnectionStringName));

    /// <summary>The LocalPostgres section, its folder made absolute and max_connections sized for the pool (or for PgBouncer's backends).</summary>
    public static LocalPostgresOptions OptionsFor(WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(LocalPostgresOptions.SectionName).Get<LocalPostgresOptions>() ?? new LocalPostgresOptions();
        var pool = PoolFor(builder);
        // Direct: max_connections at least the pool's max plus the reserve (8,200: the pool's 8,000 plus a reserve of 200).
        // Behind PgBouncer: its backends (180 + 20 reserve + 20 session) plus the same reserve. The settings of appsettings may raise it further.
        var backends = BouncerOptionsFor(builder) is { } bouncer ? bouncer.ServerBackends : pool.MaxSize;
        options.Settings.TryAdd("max_connections", (backends + pool.ServerReserve).ToString(System.Globalization.CultureInfo.InvariantCulture));
        options.DataDirectory = Absolute(builder, options.DataDirectory);
        return options;
    }

    /// <summary>The LocalPgBouncer section with its folder made absolute; null when not enabled.</summary>
    public static LocalPgBouncerOptions? BouncerOptionsFor(WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(LocalPgBouncerOptions.SectionName).Get<LocalPgBouncerOptions>();
        if (options is not { Enabled: true })
        {
            return null;
        }
        options.DataDirectory = Absolute(builder, options.DataDirectory);
        return options;
    }

    private static PoolSettings PoolFor(WebApplicationBuilder builder) =>
        builder.Configuration.GetSection(PoolSettings.SectionName).Get<PoolSettings>() ?? new PoolSettings();

    private static string Absolute(WebApplicationBuilder builder, string path) =>
        Path.IsPathRooted(path) ? path : Path.Combine(builder.Environment.ContentRootPath, path);
}
