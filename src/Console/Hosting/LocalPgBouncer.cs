using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace ExamConsole.Console.Hosting;

/// <summary>PgBouncer in front of the local cluster (<c>LocalPgBouncer__Enabled=true ./run.sh</c>, <c>scripts/fleet.sh N --pgbouncer</c>).</summary>
public sealed class LocalPgBouncerOptions
{
    public const string SectionName = "LocalPgBouncer";

    public bool Enabled { get; set; }

    /// <summary>TCP port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; set; } = 6432;

    /// <summary>Where its configuration, auth file, log and pid file are written.</summary>
    public string DataDirectory { get; set; } = ".data/pgbouncer";

    /// <summary>Server backends of the transaction-mode pool (default_pool_size).</summary>
    public int PoolSize { get; set; } = 180;

    /// <summary>Backends added when a client has waited reserve_pool_timeout (reserve_pool_size); the pool's 180 + 20 = at most 200 backends.</summary>
    public int ReservePoolSize { get; set; } = 20;

    /// <summary>Backends of the session-mode database: one LISTEN per node, migrations and the seed.</summary>
    public int SessionPoolSize { get; set; } = 20;

    /// <summary>How clients authenticate: trust (loopback only, as the local cluster), md5 or scram-sha-256 with <see cref="Password"/>.</summary>
    public string AuthType { get; set; } = "trust";

    /// <summary>The password of <c>postgres</c> in PgBouncer's auth file, for md5 or scram-sha-256.</summary>
    public string? Password { get; set; }

    /// <summary>Client connections PgBouncer accepts (max_client_conn); 0: the fleet's pool budget plus its reserve.</summary>
    public int MaxClientConnections { get; set; }

    /// <summary>The PostgreSQL backends this PgBouncer may open at most: both pools and the reserve.</summary>
    public int ServerBackends => PoolSize + ReservePoolSize + SessionPoolSize;
}

/// <summary>
/// Debian's PgBouncer, started in transaction mode in front of a local cluster with a configuration
/// written at every start: the project's database in transaction mode, the same database as
/// <c>{db}_session</c> in session mode (LISTEN, advisory locks), every other database in transaction
/// mode, and the admin console for <c>postgres</c>. Trust authentication on loopback, as the cluster
/// behind it. Like PostgreSQL it refuses to run as root, so as root it runs as <c>postgres</c>.
/// </summary>
public sealed partial class LocalPgBouncer : IAsyncDisposable
{
    private readonly LocalPgBouncerOptions _options;
    private readonly int _serverPort;
    private readonly string _database;
    private readonly int _maxClients;
    private readonly ILogger _logger;
    private readonly bool _asRoot = Environment.UserName == "root";
    private readonly List<string> _extraDatabases = [];
    private bool _startedHere;

    private LocalPgBouncer(LocalPgBouncerOptions options, int port, int serverPort, string database, int maxClients, ILogger logger)
    {
        _options = options;
        Port = port;
        _serverPort = serverPort;
        _database = database;
        _maxClients = maxClients;
        _logger = logger;
        DataDirectory = Path.GetFullPath(options.DataDirectory);
    }

    public int Port { get; private set; }

    public string DataDirectory { get; }

    public string ConfigFile => Path.Combine(DataDirectory, "pgbouncer.ini");

    private string PidFile => Path.Combine(DataDirectory, "pgbouncer.pid");

    public string LogFile => Path.Combine(DataDirectory, "pgbouncer.log");

    /// <summary>The project database through PgBouncer, in transaction mode.</summary>
    public string ConnectionString => ConnectionStringFor(_database);

    public string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = "postgres", Database = database }.ConnectionString;

    /// <summary>Starts PgBouncer in front of 127.0.0.1:<paramref name="serverPort"/>, or reloads one already running from that folder on the port asked for (port 0: the one it listens on), or restarts it on another.</summary>
    public static Task<LocalPgBouncer> StartAsync(
        LocalPgBouncerOptions options, int serverPort, string database, int fleetBudget, ILogger? logger = null, CancellationToken cancellationToken = default) =>
        StartAsync(options, serverPort, database, fleetBudget, LocalPostgres.FreePort, logger, cancellationToken);

    /// <summary><see cref="StartAsync(LocalPgBouncerOptions, int, string, int, ILogger?, CancellationToken)"/> taking port 0's ports from <paramref name="pickPort"/>: for the test of a port taken in the meantime.</summary>
    internal static async Task<LocalPgBouncer> StartAsync(
        LocalPgBouncerOptions options, int serverPort, string database, int fleetBudget, Func<int> pickPort, ILogger? logger, CancellationToken cancellationToken)
    {
        var binary = FindBinary();
        var port = options.Port == 0 ? pickPort() : options.Port;
        var maxClients = options.MaxClientConnections > 0 ? options.MaxClientConnections : fleetBudget;
        var bouncer = new LocalPgBouncer(options, port, serverPort, database, maxClients, logger ?? NullLogger.Instance);
        // A reload does not move PgBouncer's listener: one already running from this folder keeps the
        // port it was started on (the config it was started with says which). Port 0 takes that one;
        // another fixed port, or a config that no longer says, restarts it.
        if (bouncer.RunningPid() is not null)
        {
            var listening = bouncer.ConfiguredPort();
            if (listening is { } runningPort && options.Port == 0)
            {
                bouncer.Port = runningPort;
            }
            if (listening != bouncer.Port)
            {
                bouncer._logger.LogInformation("The PgBouncer running from {DataDirectory} listens on {Running}; restarting it on {Port}", bouncer.DataDirectory, listening?.ToString(CultureInfo.InvariantCulture) ?? "a port its config no longer names", bouncer.Port);
                await bouncer.StopAsync(cancellationToken);
            }
        }
        await bouncer.WriteConfigAsync(cancellationToken);
        if (bouncer.RunningPid() is { } pid)
        {
            bouncer._logger.LogInformation("Reloading the PgBouncer already running from {DataDirectory} (pid {Pid})", bouncer.DataDirectory, pid);
            await bouncer.SignalAsync(pid, "HUP", cancellationToken);
        }
        else
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await bouncer.StartProcessAsync(binary, cancellationToken);
                    break;
                }
                catch (PortTakenException) when (options.Port == 0 && attempt < 5)
                {
                    // Another process bound the free port between FreePort's look and PgBouncer's bind.
                    var taken = bouncer.Port;
                    bouncer.Port = pickPort();
                    bouncer._logger.LogInformation("Port {Taken} was taken before PgBouncer bound it; trying {Port}", taken, bouncer.Port);
                    await bouncer.WriteConfigAsync(cancellationToken);
                }
            }
            bouncer._startedHere = true;
        }
        return bouncer;
    }

    /// <summary>Adds a database of the cluster in both modes (<c>name</c>, <c>name_session</c>) and reloads: for tests that make databases of their own.</summary>
    public async Task AddDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        _extraDatabases.Add(name);
        await WriteConfigAsync(cancellationToken);
        if (RunningPid() is { } pid)
        {
            await SignalAsync(pid, "HUP", cancellationToken);
        }
    }

    private async Task WriteConfigAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(DataDirectory);
        var server = string.Create(CultureInfo.InvariantCulture, $"host=127.0.0.1 port={_serverPort}");
        var ini = new StringBuilder("; Written by ExamConsole's LocalPgBouncer at every start.\n[databases]\n");
        foreach (var db in new[] { _database }.Concat(_extraDatabases).Distinct(StringComparer.Ordinal))
        {
            ini.Append(CultureInfo.InvariantCulture, $"{db} = {server} dbname={db}\n");
            ini.Append(CultureInfo.InvariantCulture, $"{db}_session = {server} dbname={db} pool_mode=session pool_size={_options.SessionPoolSize} reserve_pool=0\n");
        }
        ini.Append(CultureInfo.InvariantCulture, $"* = {server}\n");
        ini.Append(CultureInfo.InvariantCulture, $"""

            [pgbouncer]
            listen_addr = 127.0.0.1
            listen_port = {Port}
            unix_socket_dir =
            auth_type = {_options.AuthType}
            auth_file = {Path.Combine(DataDirectory, "userlist.txt")}
            admin_users = postgres
            stats_users = postgres
            pool_mode = transaction
            max_client_conn = {_maxClients}
            default_pool_size = {_options.PoolSize}
            reserve_pool_size = {_options.ReservePoolSize}
            reserve_pool_timeout = 1
            ; A waiting client gives up here at the latest; the node's own timeouts come first.
            query_wait_timeout = 30
            server_connect_timeout = 5
            ; After PostgreSQL comes back PgBouncer retries its login within a second, not the default 15.
            server_login_retry = 1
            ; Backends are replaced after an hour of use (the node's Pool:MaxUses counts its connections to PgBouncer).
            server_lifetime = 3600
            server_idle_timeout = 600
            log_connections = 0
            log_disconnections = 0
            logfile = {LogFile}
            pidfile = {PidFile}

            """);
        await File.WriteAllTextAsync(ConfigFile, ini.ToString(), cancellationToken);
        // A plain password serves md5 and SCRAM alike; PgBouncer logs in to the cluster (trust on loopback) without it.
        var password = (_options.Password ?? "").Replace("\"", "\"\"", StringComparison.Ordinal);
        await File.WriteAllTextAsync(Path.Combine(DataDirectory, "userlist.txt"), $"\"postgres\" \"{password}\"\n", cancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Path.Combine(DataDirectory, "userlist.txt"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        if (_asRoot)
        {
            await ProcessRunner.RunAsync("chown", ["-R", "postgres:postgres", DataDirectory], asPostgres: false, cancellationToken);
        }
    }

    // Started once PgBouncer's own log says it listens on its port and its pid file names a live
    // PgBouncer. A port that accepts is not enough: PgBouncer daemonizes before it binds (its
    // launcher exits 0 either way), and on a port another process holds it logs "bind(): Address
    // already in use", then FATAL, and exits, while the other process goes on accepting; taken for
    // a started PgBouncer, the node would have talked to whatever held the port. Only this start's
    // lines are read, and only PgBouncer's own FATAL level (a WARNING quoting PostgreSQL's FATAL
    // on a refused server login is not one). A start that fails stops what it started, so that no
    // PgBouncer is left running without its pid file.
    private async Task StartProcessAsync(string binary, CancellationToken cancellationToken)
    {
        File.Delete(PidFile);
        var logFrom = File.Exists(LogFile) ? new FileInfo(LogFile).Length : 0;
        _logger.LogInformation("Starting PgBouncer on 127.0.0.1:{Port} in front of 127.0.0.1:{ServerPort} ({ConfigFile})", Port, _serverPort, ConfigFile);
        // max_client_conn needs as many file descriptors: the soft limit raised to the hard one.
        var result = await ProcessRunner.RunAsync("/bin/sh", ["-c", $"ulimit -n \"$(ulimit -Hn)\"; exec {binary} -d -q {ConfigFile}"], _asRoot, cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"PgBouncer did not start (exit code {result.ExitCode}): {result.Output.Trim()}\n{LogSince(logFrom).Trim()}");
        }
        var listening = string.Create(CultureInfo.InvariantCulture, $"listening on 127.0.0.1:{Port}");
        var taken = string.Create(CultureInfo.InvariantCulture, $"cannot listen on 127.0.0.1:{Port}: bind(): Address already in use");
        for (var i = 0; i < 100; i++)
        {
            var log = LogSince(logFrom);
            if (FatalLine().IsMatch(log))
            {
                await StopAsync(cancellationToken);
                var message = $"PgBouncer did not start on 127.0.0.1:{Port}:\n{log.Trim()}";
                throw log.Contains(taken, StringComparison.Ordinal) ? new PortTakenException(message) : new InvalidOperationException(message);
            }
            if (log.Contains(listening, StringComparison.Ordinal) && RunningPid() is not null && await AcceptsAsync(cancellationToken))
            {
                return;
            }
            await Task.Delay(100, cancellationToken);
        }
        await StopAsync(cancellationToken);
        throw new InvalidOperationException($"PgBouncer did not listen on 127.0.0.1:{Port} within 10 s.\n{LogSince(logFrom).Trim()}");
    }

    // A line of PgBouncer's log at its own FATAL level: "2026-12-03 07:50:27.765 UTC [13318] FATAL nowhere to listen on".
    [GeneratedRegex(@"^\S+ \S+ \S+ \[\d+\] FATAL ", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex FatalLine();

    // PgBouncer could not bind its port: another process holds it.
    private sealed class PortTakenException(string message) : InvalidOperationException(message);

    /// <summary>Starts it again after <see cref="KillAsync"/> or <see cref="StopAsync"/>: for fault tests.</summary>
    public Task RestartAsync(CancellationToken cancellationToken = default) =>
        StartProcessAsync(FindBinary(), cancellationToken);

    private static string FindBinary() =>
        new[] { "/usr/sbin/pgbouncer", "/usr/bin/pgbouncer" }.FirstOrDefault(File.Exists) ?? throw new InvalidOperationException(
            "PgBouncer was not found (/usr/sbin/pgbouncer). Install Debian's package with `sudo apt-get install -y pgbouncer` (scripts/ensure-deps.sh pgbouncer).");

    /// <summary>SIGKILL: PgBouncer dies with every client and server connection; for fault tests.</summary>
    public async Task KillAsync(CancellationToken cancellationToken = default)
    {
        if (RunningPid() is { } pid)
        {
            await SignalAsync(pid, "KILL", cancellationToken);
            await WaitGoneAsync(pid, cancellationToken);
        }
    }

    /// <summary>SIGTERM (PgBouncer's immediate shutdown), then SIGKILL after 10 s.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (RunningPid() is not { } pid)
        {
            return;
        }
        await SignalAsync(pid, "TERM", cancellationToken);
        if (!await WaitGoneAsync(pid, cancellationToken))
        {
            await SignalAsync(pid, "KILL", cancellationToken);
            await WaitGoneAsync(pid, cancellationToken);
        }
        File.Delete(PidFile);
    }

    private int? RunningPid()
    {
        if (!File.Exists(PidFile) || !int.TryParse(File.ReadAllText(PidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            return null;
        }
        var cmdline = $"/proc/{pid}/cmdline";
        return File.Exists(cmdline) && File.ReadAllText(cmdline).Contains("pgbouncer", StringComparison.Ordinal) ? pid : null;
    }

    private async Task SignalAsync(int pid, string signal, CancellationToken cancellationToken) =>
        await ProcessRunner.RunAsync("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)], asPostgres: false, cancellationToken);

    private static async Task<bool> WaitGoneAsync(int pid, CancellationToken cancellationToken)
    {
        for (var i = 0; i < 100; i++)
        {
            if (!Directory.Exists($"/proc/{pid}"))
            {
                return true;
            }
            await Task.Delay(100, cancellationToken);
        }
        return false;
    }

    private async Task<bool> AcceptsAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port, cancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    // The listen_port of the config on disk (the one a running PgBouncer was started or last reloaded with).
    private int? ConfiguredPort()
    {
        if (!File.Exists(ConfigFile))
        {
            return null;
        }
        foreach (var line in File.ReadLines(ConfigFile))
        {
            var parts = line.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts is ["listen_port", var value] && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var configured))
            {
                return configured;
            }
        }
        return null;
    }

    // What PgBouncer logged from byte offset `from` on (this start's lines).
    private string LogSince(long from)
    {
        if (!File.Exists(LogFile))
        {
            return "";
        }
        using var stream = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        stream.Seek(Math.Min(from, stream.Length), SeekOrigin.Begin);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Stops PgBouncer if this instance started it (one adopted from an earlier run is left running, as the cluster is).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_startedHere)
        {
            await StopAsync();
        }
    }

    /// <summary>Stops it and deletes its folder: for test runs.</summary>
    public async Task DestroyAsync()
    {
        await StopAsync();
        if (Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }
}
