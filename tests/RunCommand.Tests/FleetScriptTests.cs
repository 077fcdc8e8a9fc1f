using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using ExamConsole.Console.Hosting;
using ExamConsole.Testing;
using Xunit.Abstractions;

namespace ExamConsole.RunCommand.Tests;

/// <summary>
/// The README's fleet command through PgBouncer, <c>scripts/fleet.sh 2 --pgbouncer</c>, on a cluster
/// folder, ports and fleet folder of its own (not ./run.sh's): both nodes start together on a fresh
/// database through Debian's PgBouncer (one migrates and seeds, on PgBouncer's session-mode database),
/// a teacher's token from node 1 is accepted by node 2, PgBouncer counts both nodes' pools as its
/// clients, and SIGTERM leaves no node, no cluster command, no PgBouncer and no running PostgreSQL behind.
/// </summary>
[Trait("Category", RunCommandTests.Category)]
public sealed class FleetScriptTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan ReadyWithin = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan StopWithin = TimeSpan.FromSeconds(90);

    private readonly string _folder = Path.Combine(RunScript.Root, ".data", "test", "fleet-script-" + Guid.NewGuid().ToString("N")[..8]);

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task FleetScript_TwoNodesThroughPgBouncer_ShareTokensAndSigtermStopsEveryProcessPgBouncerAndTheCluster()
    {
        var firstPort = FreePortPair();
        var fleetDirectory = Path.Combine(_folder, "fleet");
        var dataDirectory = Path.Combine(_folder, "pg");
        var environment = new Dictionary<string, string>
        {
            ["FLEET_DIR"] = fleetDirectory,
            ["FLEET_FIRST_PORT"] = firstPort.ToString(CultureInfo.InvariantCulture),
            ["LocalPostgres__DataDirectory"] = dataDirectory,
            ["LocalPostgres__Port"] = LocalPostgres.FreePort().ToString(CultureInfo.InvariantCulture),
            ["LocalPostgres__Settings__shared_buffers"] = "128MB",
            ["LocalPgBouncer__Port"] = LocalPostgres.FreePort().ToString(CultureInfo.InvariantCulture),
            ["LocalPgBouncer__DataDirectory"] = Path.Combine(_folder, "pgbouncer"),
            ["Auth__SigningKeyFile"] = Path.Combine(_folder, "signing-key"),
            ["Seed__Teachers"] = "200",
            ["Pool__MaxSize"] = "40",
            ["Pool__MinSize"] = "0",
        };
        var logDirectory = Path.Combine(RunScript.Root, "TestResults", "run-command");
        Directory.CreateDirectory(logDirectory);
        var nodes = new[] { firstPort, firstPort + 1 }.Select(p => $"http://127.0.0.1:{p}").ToArray();

        await using var fleet = RunScript.Start(Path.Combine(logDirectory, "fleet.log"), ["scripts/fleet.sh", "2", "--pgbouncer"], environment);
        foreach (var node in nodes)
        {
            await fleet.WaitUntilReadyAsync(ReadyWithin, node);
        }
        output.WriteLine($"Both nodes ready after {fleet.Elapsed.TotalSeconds:F1} s (build included).");

        var token = await LoginAsync(nodes[0], 200);
        Assert.Equal(10, await ExamCountAsync(nodes[1], token));
        Assert.Single(fleet.Output, line => line.Contains("Demo data ready: 200 teachers", StringComparison.Ordinal));
        Assert.Contains(fleet.Output, line => line.Contains("through PgBouncer", StringComparison.Ordinal));
        var bouncerPidFile = Path.Combine(_folder, "pgbouncer", "pgbouncer.pid");
        var processes = new[] { "postgres.pid", Path.Combine($"node-{firstPort}", "pid"), Path.Combine($"node-{firstPort + 1}", "pid") }
            .Select(file => int.Parse(File.ReadAllText(Path.Combine(fleetDirectory, file)).Trim(), CultureInfo.InvariantCulture))
            .Append(int.Parse(File.ReadAllText(bouncerPidFile).Trim(), CultureInfo.InvariantCulture))
            .ToList();

        var exitCode = await fleet.TerminateAsync(StopWithin);

        Assert.True(exitCode == 0, $"fleet.sh exited with {exitCode} on SIGTERM. Its last lines:\n{fleet.Tail()}");
        Assert.All(processes, pid => Assert.False(Running(pid), $"Process {pid} of the fleet is still running."));
        Assert.False(File.Exists(Path.Combine(dataDirectory, "postmaster.pid")), "The fleet's PostgreSQL was left running.");
        Assert.All(nodes, node => Assert.False(RunScript.Listening(new Uri(node).Port), $"Something still listens on {node}."));
        output.WriteLine($"Stopped after {fleet.Elapsed.TotalSeconds:F1} s.");
    }

    private static async Task<string> LoginAsync(string node, int teacher)
    {
        using var client = new HttpClient { BaseAddress = new Uri(node) };
        var digits = teacher.ToString("D7", CultureInfo.InvariantCulture);
        var login = await client.PostAsJsonAsync("/api/auth/login", new { teacherCode = "T" + digits, password = "pass-" + digits });
        login.EnsureSuccessStatusCode();
        return (await login.Content.ReadFromJsonAsync<LoginBody>())!.Token;
    }

    private static async Task<int> ExamCountAsync(string node, string token)
    {
        using var client = new HttpClient { BaseAddress = new Uri(node) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await client.GetAsync("/api/exams");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<List<ExamBody>>())!.Count;
    }

    private static bool Running(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Two consecutive free ports (fleet.sh numbers its nodes from the first).</summary>
    private static int FreePortPair()
    {
        for (var port = 5281; port < 5400; port += 2)
        {
            if (!RunScript.Listening(port) && !RunScript.Listening(port + 1))
            {
                return port;
            }
        }
        throw new InvalidOperationException("No two consecutive free ports between 5281 and 5400.");
    }

    public async Task DisposeAsync()
    {
        // A failed test may leave PgBouncer and the cluster up: stop them before deleting their folders.
        if (File.Exists(Path.Combine(_folder, "pgbouncer", "pgbouncer.pid")) &&
            int.TryParse(File.ReadAllText(Path.Combine(_folder, "pgbouncer", "pgbouncer.pid")).Trim(), CultureInfo.InvariantCulture, out var bouncerPid) && Running(bouncerPid))
        {
            using var bouncer = Process.GetProcessById(bouncerPid);
            bouncer.Kill();
        }
        var pg = Path.Combine(_folder, "pg");
        if (File.Exists(Path.Combine(pg, "postmaster.pid")))
        {
            var server = await LocalPostgres.StartAsync(new LocalPostgresOptions { DataDirectory = pg, Port = 0, Throwaway = true });
            await server.DestroyAsync();
        }
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private sealed record LoginBody(string Token);

    private sealed record ExamBody(int ExamId);
}
