using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ExamConsole.Data;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ExamConsole.Console.Hosting;

/// <summary>What a local cluster should look like.</summary>
public sealed class LocalPostgresOptions
{
    public const string SectionName = "LocalPostgres";

    /// <summary>The cluster's data folder; created by initdb when it has no PG_VERSION yet.</summary>
    public string DataDirectory { get; set; } = ".data/pg";

    /// <summary>TCP port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; set; } = 15432;

    public string Database { get; set; } = "exam";

    /// <summary>Server settings written to postgresql.auto.conf (name to value).</summary>
    public Dictionary<string, string> Settings { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>initdb --no-sync and fsync=off: for throwaway test clusters only, never for data that matters.</summary>
    public bool Throwaway { get; set; }
}

/// <summary>
/// Refuses a local cluster's settings that PostgreSQL would refuse later or change without a word,
/// naming the key and the accepted range. Not a registered validator: the cluster starts before the
/// host is built, so <see cref="LocalPostgres.StartAsync"/> checks its options itself.
/// </summary>
public sealed class LocalPostgresOptionsValidator : IValidateOptions<LocalPostgresOptions>
{
    /// <summary>PostgreSQL's NAMEDATALEN less one: a longer database name is cut short.</summary>
    public const int MaxNameBytes = 63;

    public ValidateOptionsResult Validate(string? name, LocalPostgresOptions o)
    {
        var check = new OptionsCheck(LocalPostgresOptions.SectionName)
            .Require(!string.IsNullOrWhiteSpace(o.DataDirectory), nameof(o.DataDirectory), "must name a folder", OptionsCheck.Quote(o.DataDirectory));
        if (o.Port != 0)
        {
            // The server runs as an ordinary user, which may not listen below 1024.
            check.Between(nameof(o.Port), o.Port, 1024, 65535, "0 for a free port");
        }
        var nameBytes = Encoding.UTF8.GetByteCount(o.Database ?? "");
        check.Require(
            nameBytes is > 0 and <= MaxNameBytes,
            nameof(o.Database),
            $"must be between 1 and {MaxNameBytes} bytes long (UTF-8)",
            $"{OptionsCheck.Quote(o.Database)}, {nameBytes} bytes");
        foreach (var (key, value) in o.Settings)
        {
            // Each setting is one line of postgresql.auto.conf.
            check.Require(
                key.Length > 0 && !key.Any(c => char.IsWhiteSpace(c) || c == '=') && !value.Any(c => c is '\r' or '\n'),
                $"Settings:{key}",
                "must be a setting name without spaces and a value on one line",
                OptionsCheck.Quote(value));
        }
        return check.Result;
    }

    public static void ThrowIfInvalid(LocalPostgresOptions options)
    {
        var result = new LocalPostgresOptionsValidator().Validate(null, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(LocalPostgresOptions.SectionName, typeof(LocalPostgresOptions), result.Failures);
        }
    }
}

/// <summary>
/// A PostgreSQL cluster of the project's own, started from Debian's server binaries: for
/// development (no connection string configured) and for the test runs. PostgreSQL refuses to
/// run as root, so as root every server command runs as the <c>postgres</c> user.
/// </summary>
public sealed class LocalPostgres : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<int, bool> PortsHandedOut = new();

    private readonly LocalPostgresOptions _options;
    private readonly ILogger _logger;
    private readonly string _binDirectory;
    private readonly bool _asRoot;
    private bool _startedHere;
    private Func<int> _pickPort = FreePort;

    private LocalPostgres(LocalPostgresOptions options, int port, string binDirectory, ILogger logger)
    {
        _options = options;
        Port = port;
        _binDirectory = binDirectory;
        _logger = logger;
        _asRoot = Environment.UserName == "root";
        DataDirectory = Path.GetFullPath(options.DataDirectory);
    }

    public int Port { get; private set; }

    public string DataDirectory { get; }

    public string BinDirectory => _binDirectory;

    /// <summary>The project database's name.</summary>
    public string Database => _options.Database;

    /// <summary>Connection string of the project database, as the superuser (trust auth on loopback only).</summary>
    public string ConnectionString => ConnectionStringFor(_options.Database);

    public string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = "postgres",
            Database = database,
        }.ConnectionString;

    /// <summary>
    /// Creates the cluster if needed, starts it (or adopts one already running on that folder),
    /// and creates the database with pg_stat_statements.
    /// </summary>
    public static Task<LocalPostgres> StartAsync(LocalPostgresOptions options, ILogger? logger = null, CancellationToken cancellationToken = default) =>
        StartAsync(options, FreePort, logger, cancellationToken);

    /// <summary><see cref="StartAsync(LocalPostgresOptions, ILogger?, CancellationToken)"/> taking port 0's ports from <paramref name="pickPort"/>: for the test of a port taken in the meantime.</summary>
    internal static async Task<LocalPostgres> StartAsync(LocalPostgresOptions options, Func<int> pickPort, ILogger? logger, CancellationToken cancellationToken)
    {
        LocalPostgresOptionsValidator.ThrowIfInvalid(options);
        var port = options.Port == 0 ? pickPort() : options.Port;
        var server = new LocalPostgres(options, port, FindBinDirectory(), logger ?? NullLogger.Instance) { _pickPort = pickPort };
        await server.InitAndStartAsync(cancellationToken);
        return server;
    }

    /// <summary>Finds the newest installed server's binaries (Debian puts them in /usr/lib/postgresql/N/bin).</summary>
    public static string FindBinDirectory()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("PG_BIN");
        if (!string.IsNullOrEmpty(fromEnvironment) && File.Exists(Path.Combine(fromEnvironment, "pg_ctl")))
        {
            return fromEnvironment;
        }
        const string root = "/usr/lib/postgresql";
        var candidates = Directory.Exists(root)
            ? Directory.GetDirectories(root)
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .ToList()
            : [];
        return candidates.FirstOrDefault() ?? throw new InvalidOperationException(
            "PostgreSQL server binaries were not found under /usr/lib/postgresql/*/bin. Install them with " +
            "`sudo apt-get install -y postgresql` (or set PG_BIN to the folder holding initdb and pg_ctl), " +
            "or configure ConnectionStrings__Exam to use a server you already have.");
    }

    /// <summary>
    /// A port on 127.0.0.1 that nothing listens on now, for a server started a moment later. Taken at
    /// random below the kernel's ephemeral range, where neither outgoing connections nor another
    /// process's bind to port 0 are handed it in that moment (the test run's processes start clusters,
    /// PgBouncers and hosts side by side; a port from bind(0) was once taken before PostgreSQL bound it),
    /// and never the same twice in one process.
    /// </summary>
    public static int FreePort()
    {
        var (first, end) = PortsToPickFrom();
        for (var attempt = 0; attempt < 200 && end - first >= 1000; attempt++)
        {
            var port = Random.Shared.Next(first, end);
            if (PortsHandedOut.TryAdd(port, true) && CanListenOn(port))
            {
                return port;
            }
        }
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    // From 20000 up to the first port of the kernel's ephemeral range (32768 on Debian).
    private static (int First, int End) PortsToPickFrom()
    {
        const int first = 20000;
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return (first, int.Parse(range[0], CultureInfo.InvariantCulture));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return (first, 32768);
        }
    }

    private static bool CanListenOn(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private string PidFile => Path.Combine(DataDirectory, "postmaster.pid");

    private string LogFile => Path.Combine(DataDirectory, "server.log");

    private async Task InitAndStartAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(Path.Combine(DataDirectory, "PG_VERSION")))
        {
            await InitAsync(cancellationToken);
        }
        await WriteSettingsAsync(cancellationToken);
        if (await IsRunningAsync(cancellationToken))
        {
            _logger.LogInformation("Using the PostgreSQL cluster already running in {DataDirectory}", DataDirectory);
            // Settings apply at its next start: until then it listens where it was started (a default
            // moved since, a changed LocalPostgres__Port, or port 0's fresh pick).
            if (await ListeningPortAsync(cancellationToken) is { } listening && listening != Port)
            {
                _logger.LogWarning(
                    "The PostgreSQL cluster in {DataDirectory} runs on port {Listening}, not the configured {Port}: using its port until it next starts",
                    DataDirectory, listening, Port);
                Port = listening;
            }
        }
        else
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await StartServerAsync(cancellationToken);
                    break;
                }
                catch (InvalidOperationException ex) when (
                    _options.Port == 0 && attempt < 5 && ex.Message.Contains("Address already in use", StringComparison.Ordinal))
                {
                    // Another process bound the free port between FreePort's look and the server's bind.
                    var taken = Port;
                    Port = _pickPort();
                    _logger.LogInformation("Port {Taken} was taken before PostgreSQL bound it; trying {Port}", taken, Port);
                    await WriteSettingsAsync(cancellationToken);
                }
            }
            _startedHere = true;
        }
        await CreateDatabaseAsync(cancellationToken);
    }

    private async Task InitAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(DataDirectory);
        await ChownAsync(cancellationToken);
        _logger.LogInformation("Creating a PostgreSQL cluster in {DataDirectory}", DataDirectory);
        var args = new List<string> { "-D", DataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C" };
        if (_options.Throwaway)
        {
            args.Add("--no-sync");
        }
        await RunServerToolAsync("initdb", args, cancellationToken);
    }

    private async Task WriteSettingsAsync(CancellationToken cancellationToken)
    {
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["port"] = Port.ToString(CultureInfo.InvariantCulture),
            ["listen_addresses"] = "'127.0.0.1'",
            ["unix_socket_directories"] = $"'{DataDirectory}'",
            ["shared_preload_libraries"] = "'pg_stat_statements'",
            ["pg_stat_statements.track"] = "'top'",
            ["logging_collector"] = "off",
        };
        if (_options.Throwaway)
        {
            settings["fsync"] = "off";
            settings["full_page_writes"] = "off";
        }
        foreach (var (key, value) in _options.Settings)
        {
            settings[key] = value;
        }
        var text = new StringBuilder("# Written by ExamConsole's LocalPostgres at every start.\n");
        foreach (var (key, value) in settings)
        {
            text.Append(CultureInfo.InvariantCulture, $"{key} = {value}\n");
        }
        var path = Path.Combine(DataDirectory, "postgresql.auto.conf");
        await File.WriteAllTextAsync(path, text.ToString(), cancellationToken);
        await ChownAsync(cancellationToken);
    }

    /// <summary>Starts the server; also used by fault tests to bring a stopped cluster back.</summary>
    public async Task StartServerAsync(CancellationToken cancellationToken = default)
    {
        _logger.LogInformation("Starting PostgreSQL on 127.0.0.1:{Port} ({DataDirectory})", Port, DataDirectory);
        try
        {
            await RunServerToolAsync("pg_ctl", ["-D", DataDirectory, "-l", LogFile, "-w", "-t", "120", "start"], cancellationToken);
        }
        catch (InvalidOperationException ex)
        {
            var tail = File.Exists(LogFile) ? string.Join('\n', (await File.ReadAllLinesAsync(LogFile, cancellationToken)).TakeLast(15)) : "(no server log)";
            throw new InvalidOperationException($"{ex.Message}\nServer log ({LogFile}):\n{tail}", ex);
        }
    }

    /// <summary>Stops the server. <paramref name="mode"/> is pg_ctl's: smart, fast or immediate (a crash, for fault tests).</summary>
    public Task StopServerAsync(string mode = "fast", CancellationToken cancellationToken = default) =>
        RunServerToolAsync("pg_ctl", ["-D", DataDirectory, "-m", mode, "-w", "-t", "60", "stop"], cancellationToken);

    public async Task<bool> IsRunningAsync(CancellationToken cancellationToken = default)
    {
        if (!File.Exists(PidFile))
        {
            return false;
        }
        var result = await ProcessRunner.RunAsync(Command("pg_ctl"), ["-D", DataDirectory, "status"], _asRoot, cancellationToken);
        return result.ExitCode == 0;
    }

    /// <summary>The port a running server listens on: the fourth line of its postmaster.pid.</summary>
    private async Task<int?> ListeningPortAsync(CancellationToken cancellationToken)
    {
        try
        {
            var lines = await File.ReadAllLinesAsync(PidFile, cancellationToken);
            return lines.Length > 3 && int.TryParse(lines[3], NumberStyles.None, CultureInfo.InvariantCulture, out var port) ? port : null;
        }
        catch (IOException)
        {
            // It stopped in the meantime; the connection that follows says so.
            return null;
        }
    }

    private async Task CreateDatabaseAsync(CancellationToken cancellationToken)
    {
        await using (var admin = new NpgsqlConnection(ConnectionStringFor("postgres")))
        {
            await admin.OpenAsync(cancellationToken);
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", admin);
            exists.Parameters.AddWithValue("name", _options.Database);
            if (await exists.ExecuteScalarAsync(cancellationToken) is null)
            {
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{_options.Database.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", admin);
                await create.ExecuteNonQueryAsync(cancellationToken);
            }
        }
        await using var db = new NpgsqlConnection(ConnectionString);
        await db.OpenAsync(cancellationToken);
        await using var extension = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS pg_stat_statements", db);
        await extension.ExecuteNonQueryAsync(cancellationToken);
    }

    private string Command(string tool) => Path.Combine(_binDirectory, tool);

    private async Task RunServerToolAsync(string tool, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var result = await ProcessRunner.RunAsync(Command(tool), args, _asRoot, cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', args)} failed with exit code {result.ExitCode}: {result.Output.Trim()}");
        }
    }

    // As root the server's files must belong to postgres, who runs it.
    private async Task ChownAsync(CancellationToken cancellationToken)
    {
        if (!_asRoot || OperatingSystem.IsWindows())
        {
            return;
        }
        var result = await ProcessRunner.RunAsync("chown", ["-R", "postgres:postgres", DataDirectory], asPostgres: false, cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"chown of {DataDirectory} to postgres failed: {result.Output.Trim()}. Is the `postgres` user there (it comes with the postgresql package)?");
        }
        // postgres must be able to reach the folder: make its parents traversable.
        for (var dir = Path.GetDirectoryName(DataDirectory); !string.IsNullOrEmpty(dir) && dir != "/"; dir = Path.GetDirectoryName(dir))
        {
            var mode = File.GetUnixFileMode(dir);
            if (!mode.HasFlag(UnixFileMode.OtherExecute))
            {
                File.SetUnixFileMode(dir, mode | UnixFileMode.OtherExecute);
            }
        }
    }

    /// <summary>Stops the server if this instance started it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_startedHere && await IsRunningAsync())
        {
            await StopServerAsync();
        }
    }

    /// <summary>Stops the server and deletes its folder: for throwaway test clusters.</summary>
    public async Task DestroyAsync()
    {
        if (await IsRunningAsync())
        {
            await StopServerAsync("immediate");
        }
        if (Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }
}
