using ExamConsole.Testing;
using Microsoft.Playwright;

namespace ExamConsole.E2E;

/// <summary>
/// Two real hosts, node-1 and node-2, each on a Kestrel port of its own, sharing one real
/// PostgreSQL (a fleet of two), and Debian's Chromium. Heartbeats every half second keep the flow
/// short; apart from the fleet it is the same host as <see cref="E2EFixture"/>'s. A fixture of its
/// own, so the other flows keep running on one node with the whole pool.
/// </summary>
public sealed class FleetE2EFixture : IAsyncLifetime
{
    /// <summary>Each node's configured Pool:MaxSize: the fleet's budget until an operator sets one.</summary>
    public const int ConfiguredMaxSize = 40;

    private TestPostgres? _postgres;
    private IPlaywright? _playwright;

    public ExamHostFactory[] Nodes { get; } = new ExamHostFactory[2];

    public Uri[] Addresses { get; } = new Uri[2];

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _postgres = await TestPostgres.StartAsync("e2e-fleet");
        for (var i = 0; i < Nodes.Length; i++)
        {
            var node = new ExamHostFactory(_postgres.ConnectionString) { EnvironmentName = "Development" };
            node.Settings["Fleet:NodeName"] = $"node-{i + 1}";
            node.Settings["Fleet:HeartbeatInterval"] = "00:00:00.500";
            node.Settings["Pool:MaxSize"] = ConfiguredMaxSize.ToString(System.Globalization.CultureInfo.InvariantCulture);
            node.Settings["Admin:LoginAttemptsPerWindow"] = "1000";
            Nodes[i] = node;
            Addresses[i] = E2EFixture.StartOnKestrel(node);
        }
        _playwright = await Playwright.CreateAsync();
        Browser = await E2EFixture.LaunchChromiumAsync(_playwright);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        _playwright?.Dispose();
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
public sealed class FleetE2ECollection : ICollectionFixture<FleetE2EFixture>
{
    public const string Name = "e2e-fleet";
}
