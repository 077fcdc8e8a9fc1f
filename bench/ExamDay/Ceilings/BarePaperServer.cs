using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ExamConsole.ExamDay.Ceilings;

/// <summary>
/// The HTTP ceiling: Kestrel with one endpoint answering the paper's own bytes, nothing else (no
/// authentication, no admission, no cache lookup). It runs in a process of its own, as the host
/// does, so that it is not served by the load generator's thread pool.
/// </summary>
public static class BarePaperServer
{
    public const string Path = "/paper";

    /// <summary>examday bare-paper FILE PORT: serves FILE at /paper on 127.0.0.1:PORT until killed.</summary>
    public static async Task<int> ServeAsync(IReadOnlyList<string> args)
    {
        if (args.Count != 2 || !File.Exists(args[0]) || !int.TryParse(args[1], out var port))
        {
            await Console.Error.WriteLineAsync("usage: examday bare-paper FILE PORT");
            return 2;
        }
        var bytes = await File.ReadAllBytesAsync(args[0]);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        await using var app = builder.Build();
        app.MapGet(Path, () => TypedResults.Bytes(bytes, "application/json"));
        await app.RunAsync();
        return 0;
    }

    /// <summary>Starts the server as a child process on a free port and waits until it answers.</summary>
    public static async Task<(Process Process, Uri BaseUrl)> StartAsync(byte[] paper, string folder, CancellationToken cancellationToken)
    {
        var file = System.IO.Path.Combine(folder, "paper.json");
        await File.WriteAllBytesAsync(file, paper, cancellationToken);
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var self = typeof(BarePaperServer).Assembly.Location;
        var host = Environment.ProcessPath ?? "dotnet";
        var start = new ProcessStartInfo(host) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        if (System.IO.Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(self);
        }
        foreach (var a in new[] { "bare-paper", file, port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(a);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the bare paper server.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine("bare-paper: " + e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var baseUrl = new Uri($"http://127.0.0.1:{port}");
        using var client = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var answer = await client.GetByteArrayAsync(Path, cancellationToken);
                if (answer.AsSpan().SequenceEqual(paper))
                {
                    return (process, baseUrl);
                }
                throw new InvalidOperationException("The bare paper server answered other bytes than the paper's.");
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException
                && !cancellationToken.IsCancellationRequested && deadline.Elapsed < TimeSpan.FromSeconds(20) && !process.HasExited)
            {
                // Not listening yet, or (on a loaded machine) too slow to answer one probe within its 2 s.
                await Task.Delay(100, cancellationToken);
            }
        }
    }
}
