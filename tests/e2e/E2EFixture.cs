using ExamConsole.Testing;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace ExamConsole.E2E;

/// <summary>
/// The real host on a real Kestrel port and a real PostgreSQL, plus Debian's Chromium driven by
/// Playwright (its bundled driver; no browser download). One of each for the whole suite.
/// </summary>
public sealed class E2EFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run",
    ];

    private TestPostgres? _postgres;
    private IPlaywright? _playwright;

    public ExamHostFactory Factory { get; private set; } = null!;

    public TestData Data { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public Uri BaseAddress { get; private set; } = null!;

    public string ConnectionString => _postgres!.ConnectionString;

    /// <summary>Where screenshots and traces go: TestResults/e2e under the repository.</summary>
    public static string ArtifactsDirectory { get; } = Path.Combine(TestPostgres.RepositoryRoot(), "TestResults", "e2e");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: run `sudo apt-get install -y chromium` (./test.sh installs it as root).");
        }
        Directory.CreateDirectory(ArtifactsDirectory);
        _postgres = await TestPostgres.StartAsync("e2e");
        Factory = new ExamHostFactory(_postgres.ConnectionString) { EnvironmentName = "Development" };
        Factory.Settings["ExamApi:CatalogRefresh"] = "00:00:00";
        // Seconds, not minutes: the slow-queries flow starts a long query and waits for it to show.
        Factory.Settings["ServerTelemetry:LongRunningThreshold"] = "00:00:01";
        Factory.Settings["ServerTelemetry:SampleInterval"] = "00:00:00.500";
        // Every flow signs in afresh; the default of 5 tries per username per minute is for attackers, not QA.
        Factory.Settings["Admin:LoginAttemptsPerWindow"] = "1000";
        BaseAddress = StartOnKestrel(Factory);
        Data = new TestData(_postgres.ConnectionString);
        _playwright = await Playwright.CreateAsync();
        Browser = await LaunchChromiumAsync(_playwright);
    }

    /// <summary>Starts a host on a real Kestrel port of its own and returns where it answers.</summary>
    public static Uri StartOnKestrel(ExamHostFactory factory)
    {
        factory.UseKestrel(0);
        factory.StartServer();
        var addresses = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        return new Uri(addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("localhost", "127.0.0.1", StringComparison.Ordinal));
    }

    /// <summary>Debian's Chromium, headless, through Playwright's bundled driver.</summary>
    public static async Task<IBrowser> LaunchChromiumAsync(IPlaywright playwright)
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: run `sudo apt-get install -y chromium` (./test.sh installs it as root).");
        }
        Directory.CreateDirectory(ArtifactsDirectory);
        return await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
        });
    }

    public HttpClient ApiClient() => new() { BaseAddress = BaseAddress };

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        _playwright?.Dispose();
        await Factory.DisposeAsync();
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class E2ECollection : ICollectionFixture<E2EFixture>
{
    public const string Name = "e2e";
}
