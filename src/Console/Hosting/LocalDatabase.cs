using ExamConsole.Data;
using ExamConsole.Data.Pool;

namespace ExamConsole.Console.Hosting;

/// <summary>Starts the development cluster when no database is configured, sized for the configured pool.</summary>
internal static class LocalDatabase
{
    public static async Task<LocalPostgres?> StartIfUnconfiguredAsync(WebApplicationBuilder builder)
    {
        if (IsConfigured(builder))
        {
            return null;
        }
        using var loggerFactory = LoggerFactory.Create(logging => logging.AddSimpleConsole(o => o.SingleLine = true));
        var server = await LocalPostgres.StartAsync(OptionsFor(builder), loggerFactory.CreateLogger("LocalPostgres"));
        builder.Configuration[$"ConnectionStrings:{Extensions.ConnectionStringName}"] = server.ConnectionString;
        return server;
    }

    /// <summary>Whether ConnectionStrings:Exam names a server, so that no local cluster is wanted.</summary>
    public static bool IsConfigured(WebApplicationBuilder builder) =>
        !string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(Extensions.ConnectionStringName));

    /// <summary>The LocalPostgres section, its folder made absolute and max_connections sized for the pool.</summary>
    public static LocalPostgresOptions OptionsFor(WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(LocalPostgresOptions.SectionName).Get<LocalPostgresOptions>() ?? new LocalPostgresOptions();
        var pool = builder.Configuration.GetSection(PoolSettings.SectionName).Get<PoolSettings>() ?? new PoolSettings();
        // max_connections at least the pool's max plus the reserve (8,200: the pool's 8,000 plus a reserve of 200); the settings of appsettings may raise it further.
        options.Settings.TryAdd("max_connections", (pool.MaxSize + pool.ServerReserve).ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (!Path.IsPathRooted(options.DataDirectory))
        {
            options.DataDirectory = Path.Combine(builder.Environment.ContentRootPath, options.DataDirectory);
        }
        return options;
    }
}
