using ExamConsole.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ExamConsole.Api.Tests.Fleet;

/// <summary>
/// Three real hosts (Kestrel on their own ports) against one real PostgreSQL: a fleet in one
/// process. Each node's configured Pool:MaxSize is the fleet's budget until an operator sets one,
/// so three nodes start with a third of it each. Heartbeats every half second keep the tests short.
/// </summary>
public sealed class FleetFixture : IAsyncLifetime
{
    public const int ConfiguredMaxSize = 60;
    public static readonly TimeSpan Heartbeat = TimeSpan.FromMilliseconds(500);

    private TestPostgres? _postgres;

    public ExamHostFactory[] Nodes { get; } = new ExamHostFactory[3];

    public string ConnectionString => _postgres!.ConnectionString;

    public async Task InitializeAsync()
    {
        _postgres = await TestPostgres.StartAsync("fleet");
        for (var i = 0; i < Nodes.Length; i++)
        {
            Nodes[i] = Start(i);
        }
    }

    /// <summary>A node of the fleet, started: node-1 to node-3, one signing key, a spool folder each.</summary>
    public ExamHostFactory Start(int index)
    {
        var node = new ExamHostFactory(_postgres!.ConnectionString);
        node.Settings["Fleet:NodeName"] = $"node-{index + 1}";
        node.Settings["Fleet:HeartbeatInterval"] = Heartbeat.ToString();
        node.Settings["Pool:MaxSize"] = ConfiguredMaxSize.ToString(System.Globalization.CultureInfo.InvariantCulture);
        node.Settings["Pool:MinSize"] = "0";
        node.UseKestrel(0);
        node.StartServer();
        return node;
    }

    /// <summary>Stops node <paramref name="index"/> (a graceful stop: it leaves the fleet).</summary>
    public async Task StopAsync(int index) => await Nodes[index].DisposeAsync();

    /// <summary>Starts node <paramref name="index"/> again under its name.</summary>
    public void Restart(int index) => Nodes[index] = Start(index);

    public T Service<T>(int index) where T : notnull => Nodes[index].Services.GetRequiredService<T>();

    public async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public async Task DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            if (node is not null)
            {
                await node.DisposeAsync();
            }
        }
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class FleetCollection : ICollectionFixture<FleetFixture>
{
    public const string Name = "fleet";
}
