using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ExamConsole.Console.Hosting;
using ExamConsole.Data.Bouncer;
using ExamConsole.Testing;

namespace ExamConsole.Api.Tests;

/// <summary>
/// Where the project's PgBouncer listens: on a port another process holds (its launcher exits 0
/// either way, as it daemonizes before it binds, and the other process goes on accepting
/// connections on the port), and when one already runs from its folder (a reload keeps its listener).
/// </summary>
[Trait("Category", "Bouncer")]
public sealed class LocalPgBouncerTests
{
    [Fact]
    public async Task Start_OnAFreePortTakenBeforePgBouncerBindsIt_MovesToAnotherAndServes()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var taken = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var picks = new Queue<int>([taken]);
        var options = Options(port: 0);
        LocalPgBouncer? bouncer = null;

        try
        {
            bouncer = await LocalPgBouncer.StartAsync(
                options, serverPort: LocalPostgres.FreePort(), "exam", fleetBudget: 20,
                () => picks.Count > 0 ? picks.Dequeue() : LocalPostgres.FreePort(), logger: null, CancellationToken.None);
            Assert.NotEqual(taken, bouncer.Port);
            // PgBouncer itself answers there: its admin console, listening on the port it was given.
            await using var console = await BouncerConsole.ConnectAsync(bouncer.ConnectionStringFor("pgbouncer"), CancellationToken.None);
            Assert.StartsWith("PgBouncer 1.", Assert.Single(await console.QueryAsync("SHOW VERSION", CancellationToken.None))["version"]);
            var config = await console.QueryAsync("SHOW CONFIG", CancellationToken.None);
            Assert.Equal(bouncer.Port.ToString(CultureInfo.InvariantCulture), Assert.Single(config, row => row["key"] == "listen_port")["value"]);
        }
        finally
        {
            await RemoveAsync(bouncer, options);
        }
    }

    [Fact]
    public async Task Start_OnAFixedPortTakenByAnother_FailsNamingIt()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var taken = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var options = Options(port: taken);

        try
        {
            // Before, the squatter's accepting was taken for PgBouncer's: the start "succeeded".
            var error = await Assert.ThrowsAnyAsync<InvalidOperationException>(() =>
                LocalPgBouncer.StartAsync(options, serverPort: LocalPostgres.FreePort(), "exam", fleetBudget: 20));
            Assert.Contains("Address already in use", error.Message, StringComparison.Ordinal);
            Assert.Contains(taken.ToString(CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
        }
        finally
        {
            await RemoveAsync(null, options);
        }
    }

    [Theory]
    [InlineData("port 0 again")]
    [InlineData("another fixed port")]
    [InlineData("port 0, its config gone")]
    public async Task Start_AgainWhileOneRunsFromTheFolder_ListensWhereItSays(string how)
    {
        // A reload does not move PgBouncer's listener: before, the second start wrote and reported a
        // new port while PgBouncer went on listening on the first.
        var fixedPort = how == "another fixed port";
        var options = Options(port: fixedPort ? LocalPostgres.FreePort() : 0);
        var again = Options(port: fixedPort ? LocalPostgres.FreePort() : 0, options.DataDirectory);
        LocalPgBouncer? first = null, second = null;
        try
        {
            first = await LocalPgBouncer.StartAsync(options, serverPort: LocalPostgres.FreePort(), "exam", fleetBudget: 20);
            var firstPort = first.Port;
            if (how == "port 0, its config gone")
            {
                File.Delete(first.ConfigFile);
            }
            second = await LocalPgBouncer.StartAsync(again, serverPort: LocalPostgres.FreePort(), "exam", fleetBudget: 20);
            if (how == "port 0 again")
            {
                Assert.Equal(firstPort, second.Port);
            }
            else
            {
                // Restarted where it was asked to listen (port 0 with no config: a new free port).
                Assert.NotEqual(firstPort, second.Port);
                using var client = new TcpClient();
                await Assert.ThrowsAnyAsync<SocketException>(() => client.ConnectAsync(IPAddress.Loopback, firstPort));
            }
            if (fixedPort)
            {
                Assert.Equal(again.Port, second.Port);
            }
            await using var console = await BouncerConsole.ConnectAsync(second.ConnectionStringFor("pgbouncer"), CancellationToken.None);
            var config = await console.QueryAsync("SHOW CONFIG", CancellationToken.None);
            Assert.Equal(second.Port.ToString(CultureInfo.InvariantCulture), Assert.Single(config, row => row["key"] == "listen_port")["value"]);
        }
        finally
        {
            // Either stops the PgBouncer running from the folder and deletes the folder.
            await RemoveAsync(second ?? first, options);
        }
    }

    // Stops the PgBouncer running from the test's folder (through the instance that started it, when
    // there is one) and deletes the folder.
    private static async Task RemoveAsync(LocalPgBouncer? bouncer, LocalPgBouncerOptions options)
    {
        if (bouncer is not null)
        {
            await bouncer.DestroyAsync();
        }
        else if (Directory.Exists(options.DataDirectory))
        {
            Directory.Delete(options.DataDirectory, recursive: true);
        }
    }

    private static LocalPgBouncerOptions Options(int port, string? directory = null) => new()
    {
        Port = port,
        DataDirectory = directory ?? Path.Combine(TestPostgres.RepositoryRoot(), ".data", "test", $"bouncer-port-{Environment.ProcessId}-{Guid.NewGuid():N}"[..48]),
        PoolSize = 5,
        MaxClientConnections = 20,
    };
}
