using System.Collections.Concurrent;
using System.Diagnostics;
using ExamConsole.Console.Hosting;

namespace ExamConsole.Testing;

/// <summary>
/// The real host as a process of its own (`dotnet ExamConsole.Console.dll`) on a free loopback
/// port, for tests that must kill it the hard way (SIGKILL) and start it again.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private HostProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>What the host printed so far (standard output and error), a line each.</summary>
    public IReadOnlyCollection<string> Output => _output;

    public bool HasExited => _process.HasExited;

    /// <summary>Starts the host and waits for it to be ready; <paramref name="port"/> (free when omitted) lets a node come back at its address.</summary>
    public static async Task<HostProcess> StartAsync(IDictionary<string, string> environment, TimeSpan readyWithin, int? port = null)
    {
        var host = Launch(environment, port);
        await host.WaitUntilReadyAsync(readyWithin);
        return host;
    }

    /// <summary>Starts the host without waiting for it to be ready.</summary>
    public static HostProcess Launch(IDictionary<string, string> environment, int? port = null)
    {
        var address = new Uri($"http://127.0.0.1:{port ?? LocalPostgres.FreePort()}");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { HostAssembly() },
            WorkingDirectory = Path.GetDirectoryName(HostAssembly())!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_URLS"] = address.ToString();
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        if (TestPostgres.IsBouncer(start.Environment.TryGetValue("ConnectionStrings__Exam", out var connection) ? connection : null))
        {
            start.Environment["PgBouncer__Enabled"] = "true";
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the host process.");
        var host = new HostProcess(process, address);
        // Drain its output so that it never blocks on a full pipe, and keep it for the tests that wait for a line.
        process.OutputDataReceived += (_, e) => host.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => host.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }

    /// <summary>Waits until the host has printed a line containing <paramref name="fragment"/>.</summary>
    public async Task WaitForOutputAsync(string fragment, TimeSpan within)
    {
        bool Printed() => _output.Any(line => line.Contains(fragment, StringComparison.Ordinal));
        await Eventually.TrueAsync(() => Printed() || _process.HasExited, $"the host printing \"{fragment}\"", within);
        if (!Printed())
        {
            // An exited process may still have lines in its pipes: read them to the end before judging.
            await _process.WaitForExitAsync();
        }
        if (!Printed())
        {
            throw new InvalidOperationException($"The host exited before printing \"{fragment}\". Its output:\n{string.Join('\n', _output)}");
        }
    }

    /// <summary>SIGKILL: no shutdown code runs, as when the machine loses the process.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async Task WaitUntilReadyAsync(TimeSpan within)
    {
        using var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(2) };
        await Eventually.TrueAsync(async () =>
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The host process exited with code {_process.ExitCode} before it was ready. Its output:\n{string.Join('\n', _output)}");
            }
            try
            {
                return (await client.GetAsync("/health/ready")).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false; // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                return false; // Not answering yet.
            }
        }, $"the host at {Address} to be ready", within);
    }

    /// <summary>The host's build output of the same configuration as the tests.</summary>
    private static string HostAssembly()
    {
#if DEBUG
        const string configuration = "Debug";
#else
        const string configuration = "Release";
#endif
        var path = Path.Combine(TestPostgres.RepositoryRoot(), "src", "Console", "bin", configuration, "net10.0", "ExamConsole.Console.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("Build the host first (dotnet build).", path);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }
        _process.Dispose();
    }
}
