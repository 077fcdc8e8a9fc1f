using System.Diagnostics;
using ExamConsole.Data.Local;

namespace ExamConsole.Testing;

/// <summary>
/// The real host as a process of its own (`dotnet ExamConsole.Console.dll`) on a free loopback
/// port, for tests that must kill it the hard way (SIGKILL) and start it again.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;

    private HostProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<HostProcess> StartAsync(IDictionary<string, string> environment, TimeSpan readyWithin)
    {
        var port = LocalPostgres.FreePort();
        var address = new Uri($"http://127.0.0.1:{port}");
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
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the host process.");
        // Drain its output so that it never blocks on a full pipe.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var host = new HostProcess(process, address);
        await host.WaitUntilReadyAsync(readyWithin);
        return host;
    }

    /// <summary>SIGKILL: no shutdown code runs, as when the machine loses the process.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    private async Task WaitUntilReadyAsync(TimeSpan within)
    {
        using var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(2) };
        var until = DateTime.UtcNow + within;
        while (DateTime.UtcNow < until)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The host process exited with code {_process.ExitCode} before it was ready.");
            }
            try
            {
                if ((await client.GetAsync("/health/ready")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Not answering yet.
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"The host at {Address} was not ready within {within.TotalSeconds} s.");
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
