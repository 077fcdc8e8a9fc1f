using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using ExamConsole.Testing;

namespace ExamConsole.RunCommand.Tests;

/// <summary>
/// The README's run command (<c>./run.sh</c> at the repository's root) as a newcomer starts it: no
/// setting of the environment passed on, so every default is in force (port 5080, the local cluster
/// under .data/pg on 15432, 40,000 teachers).
/// </summary>
internal sealed class RunScript : IAsyncDisposable
{
    public const string Address = "http://127.0.0.1:5080";
    public const int HostPort = 5080;
    public const int PostgresPort = 15432;

    private readonly Process _process;
    private readonly string _name;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly Stopwatch _since = Stopwatch.StartNew();

    private RunScript(Process process, string name)
    {
        _process = process;
        _name = name;
    }

    public int ProcessId => _process.Id;

    public IReadOnlyCollection<string> Output => _output;

    public TimeSpan Elapsed => _since.Elapsed;

    public static string Root => TestPostgres.RepositoryRoot();

    /// <summary>
    /// Starts <c>./run.sh</c> (or <paramref name="command"/>, a script and its arguments) with the machine's
    /// environment less every setting of the product and of the test run, plus <paramref name="environment"/>.
    /// </summary>
    public static RunScript Start(string logPath, IReadOnlyList<string>? command = null, IDictionary<string, string>? environment = null)
    {
        command ??= ["./run.sh"];
        var start = new ProcessStartInfo("bash")
        {
            WorkingDirectory = Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in command)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var key in start.Environment.Keys.ToList())
        {
            if (!Inherited(key))
            {
                start.Environment.Remove(key);
            }
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        var name = string.Join(' ', command);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {name}.");
        var script = new RunScript(process, name);
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => script.Keep(e.Data, log);
        process.ErrorDataReceived += (_, e) => script.Keep(e.Data, log);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.Exited += (_, _) => log.Dispose();
        process.EnableRaisingEvents = true;
        return script;
    }

    /// <summary>
    /// What a newcomer's shell has: the machine's paths and the .NET SDK's own switches, but no
    /// configuration of the product (KEY__SUB, ConnectionStrings, ASPNETCORE_*) and nothing the
    /// test runner set for its own child processes (MSBuild, VSTest, the test host's DOTNET_*).
    /// </summary>
    private static bool Inherited(string key) =>
        key is "PATH" or "HOME" or "USER" or "LANG" or "LC_ALL" or "TERM" or "TMPDIR" or "SHELL"
            or "DOTNET_ROOT" or "DOTNET_CLI_HOME" or "NUGET_PACKAGES" or "DOTNET_NOLOGO" or "DOTNET_CLI_TELEMETRY_OPTOUT"
            or "DOTNET_SKIP_FIRST_TIME_EXPERIENCE" or "CI";

    private void Keep(string? line, StreamWriter log)
    {
        if (line is null)
        {
            return;
        }
        _output.Enqueue(line);
        lock (log)
        {
            try
            {
                log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // The script exited while its last lines were being read.
            }
        }
    }

    /// <summary>Waits until <paramref name="address"/> (./run.sh's by default) answers /health/ready.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan within, string address = Address)
    {
        using var client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.UntilAsync(
            async () =>
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"{_name} exited with code {_process.ExitCode} before it was ready. Its last lines:\n{Tail()}");
                }
                try
                {
                    return (await client.GetAsync("/health/ready")).IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
                catch (TaskCanceledException)
                {
                    return false;
                }
            },
            ready => ready,
            $"{_name} answering {address}/health/ready",
            within,
            // Its lines at the deadline, not those of when the wait began.
            describe: _ => "not ready. Its last lines:\n" + Tail());
    }

    /// <summary>SIGTERM, as a service manager or `kill` stops it; returns the exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan within)
    {
        await SendTermAsync(_process.Id);
        using var bound = new CancellationTokenSource(within);
        await _process.WaitForExitAsync(bound.Token);
        return _process.ExitCode;
    }

    public string Tail(int lines = 40) => string.Join('\n', _output.TakeLast(lines));

    /// <summary>Whether something listens on a loopback port: the defaults need theirs free.</summary>
    public static bool Listening(int port)
    {
        try
        {
            using var probe = new TcpClient();
            probe.Connect("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // A failed test still stops the host, which stops its cluster.
            await SendTermAsync(_process.Id);
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(bound.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        _process.Dispose();
    }

    private static async Task SendTermAsync(int pid)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture) } })
            ?? throw new InvalidOperationException("Could not run kill.");
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -TERM {pid} exited with {kill.ExitCode}.");
        }
    }
}
