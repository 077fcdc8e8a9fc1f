using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ExamConsole.Console.Hosting;
using ExamConsole.Testing;
using Npgsql;

namespace ExamConsole.Api.Tests;

/// <summary>The free ports the test run's clusters, PgBouncers and hosts listen on, and a port taken before the server binds it.</summary>
public sealed class LocalPostgresTests
{
    [Fact]
    public void FreePort_HandsOutDistinctPortsNothingListensOnBelowTheEphemeralRange()
    {
        var ephemeralFirst = int.Parse(
            File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0],
            CultureInfo.InvariantCulture);

        var ports = Enumerable.Range(0, 100).Select(_ => LocalPostgres.FreePort()).ToList();

        Assert.Equal(ports.Count, ports.Distinct().Count());
        Assert.All(ports, port => Assert.InRange(port, 20000, ephemeralFirst - 1));
        Assert.All(ports, port =>
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
        });
    }

    [Fact]
    public async Task Start_OnAFreePortTakenBeforeTheServerBindsIt_MovesToAnotherAndServes()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var taken = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var picks = new Queue<int>([taken]);
        var options = new LocalPostgresOptions
        {
            DataDirectory = Path.Combine(TestPostgres.RepositoryRoot(), ".data", "test", $"port-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]),
            Port = 0,
            Throwaway = true,
        };

        var server = await LocalPostgres.StartAsync(options, () => picks.Count > 0 ? picks.Dequeue() : LocalPostgres.FreePort(), logger: null, CancellationToken.None);
        try
        {
            Assert.NotEqual(taken, server.Port);
            await using var connection = new NpgsqlConnection(server.ConnectionString + ";Pooling=false");
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT current_setting('port')::int", connection);
            Assert.Equal(server.Port, (int)(await command.ExecuteScalarAsync())!);
        }
        finally
        {
            await server.DestroyAsync();
        }
    }

    [Fact]
    public async Task Start_OnAFixedPortTakenByAnother_FailsNamingIt()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var taken = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var options = new LocalPostgresOptions
        {
            DataDirectory = Path.Combine(TestPostgres.RepositoryRoot(), ".data", "test", $"port-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]),
            Port = taken,
            Throwaway = true,
        };

        try
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => LocalPostgres.StartAsync(options));
            Assert.Contains("Address already in use", error.Message, StringComparison.Ordinal);
            Assert.Contains(taken.ToString(CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(options.DataDirectory))
            {
                Directory.Delete(options.DataDirectory, recursive: true);
            }
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Start_AgainWhileItRunsOnAnotherPort_UsesThePortItListensOn(bool fixedPort)
    {
        var folder = Path.Combine(TestPostgres.RepositoryRoot(), ".data", "test", $"port-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        var running = await LocalPostgres.StartAsync(new LocalPostgresOptions { DataDirectory = folder, Port = LocalPostgres.FreePort(), Throwaway = true });
        try
        {
            // As ./run.sh meets a cluster of an older default, or a test's port 0 one it did not start.
            var again = await LocalPostgres.StartAsync(new LocalPostgresOptions { DataDirectory = folder, Port = fixedPort ? LocalPostgres.FreePort() : 0, Throwaway = true });

            Assert.Equal(running.Port, again.Port);
            await using var connection = new NpgsqlConnection(again.ConnectionString + ";Pooling=false");
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT current_setting('port')::int", connection);
            Assert.Equal(running.Port, (int)(await command.ExecuteScalarAsync())!);
            // It did not start the cluster, so it leaves it running.
            await again.DisposeAsync();
            Assert.True(await running.IsRunningAsync());
        }
        finally
        {
            await running.DestroyAsync();
        }
    }
}
