using ExamConsole.Api.Infrastructure;
using ExamConsole.Data.Pool;
using ExamConsole.Data.Telemetry;
using ExamConsole.Data.Telemetry.Readiness;
using ExamConsole.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ExamConsole.Data.Tests;

/// <summary>Builds the readiness service on a cluster, with the pool and expectations a test asks for.</summary>
internal static class Readiness
{
    public static async Task<IReadOnlyList<ReadinessCheck>> EvaluateAsync(string connectionString, PoolSettings pool, ReadinessOptions? options = null)
    {
        await using var main = DataFixture.Pool(connectionString, pool);
        return await EvaluateAsync(connectionString, main, options);
    }

    public static async Task<IReadOnlyList<ReadinessCheck>> EvaluateAsync(string connectionString, ExamDataSource main, ReadinessOptions? options = null)
    {
        options ??= new ReadinessOptions();
        await using var telemetry = DataFixture.Telemetry(connectionString);
        var probe = new MetricsEndpointProbe(new PlainHttpClientFactory(), new ServiceCollection().BuildServiceProvider(), Options.Create(options));
        var sampler = DataFixture.Sampler(DataFixture.View(telemetry));
        var readiness = new ReadinessService(telemetry, main, sampler, probe, Options.Create(options), NullLogger<ReadinessService>.Instance);
        return await readiness.EvaluateAsync(CancellationToken.None);
    }

    public static PoolSettings Pool(int maxSize) => new() { MaxSize = maxSize, MinSize = 0 };

    public static ReadinessCheck Check(this IReadOnlyList<ReadinessCheck> checks, string name) => Assert.Single(checks, c => c.Name == name);
}

[Collection(DataCollection.Name)]
public sealed class ReadinessTests(DataFixture fixture)
{
    [Fact]
    public async Task Evaluate_EveryCheckOfTheChecklist_IsThereWithActualExpectedAndAdviceWhenNotOk()
    {
        var checks = await Readiness.EvaluateAsync(fixture.ConnectionString, Readiness.Pool(60));

        Assert.Equal(ReadinessCheckNames.All, checks.Select(c => c.Name));
        Assert.All(checks, c =>
        {
            Assert.False(string.IsNullOrWhiteSpace(c.Actual), c.Name);
            Assert.False(string.IsNullOrWhiteSpace(c.Expected), c.Name);
            Assert.Equal(c.Ok, c.Advice is null);
        });
    }

    [Fact]
    public async Task MaxConnections_PoolMaxPlusReserveFits_PassesAndOneMoreFails()
    {
        var fits = (await Readiness.EvaluateAsync(fixture.ConnectionString, Readiness.Pool(DataFixture.MaxConnections - 200))).Check(ReadinessCheckNames.MaxConnections);
        var tooBig = (await Readiness.EvaluateAsync(fixture.ConnectionString, Readiness.Pool(DataFixture.MaxConnections - 199))).Check(ReadinessCheckNames.MaxConnections);

        Assert.True(fits.Ok);
        Assert.Equal("260", fits.Actual);
        Assert.StartsWith(">= 260", fits.Expected);
        Assert.False(tooBig.Ok);
        Assert.StartsWith(">= 261", tooBig.Expected);
        Assert.Contains("max_connections = 261", tooBig.Advice);
        Assert.Contains("Pool:MaxSize to 60", tooBig.Advice);
    }

    [Fact]
    public async Task ServerSettings_TestClusterBelowTheDocument_FailWithTheServersValueAndHowToSetIt()
    {
        var checks = await Readiness.EvaluateAsync(fixture.ConnectionString, Readiness.Pool(60));

        var sharedBuffers = checks.Check(ReadinessCheckNames.SharedBuffers);
        Assert.False(sharedBuffers.Ok);
        Assert.Equal("128MB", sharedBuffers.Actual);
        Assert.Equal(">= 2GB", sharedBuffers.Expected);
        Assert.Contains("shared_buffers = '2GB'", sharedBuffers.Advice);
        Assert.Contains("restart PostgreSQL", sharedBuffers.Advice);

        var workMem = checks.Check(ReadinessCheckNames.WorkMem);
        Assert.False(workMem.Ok);
        Assert.Equal("4MB", workMem.Actual);
        Assert.Equal("= 2MB", workMem.Expected);
        Assert.Contains("pg_reload_conf()", workMem.Advice);
    }

    [Fact]
    public async Task ServerSettings_ExpectationsTheClusterMeets_Pass()
    {
        var checks = await Readiness.EvaluateAsync(fixture.ConnectionString, Readiness.Pool(60), new ReadinessOptions
        {
            MinSharedBuffers = "128MB",
            WorkMem = "4MB",
            MinEffectiveCacheSize = "1MB",
            MinMaintenanceWorkMem = "64MB",
        });

        Assert.All(
            new[] { ReadinessCheckNames.SharedBuffers, ReadinessCheckNames.WorkMem, ReadinessCheckNames.EffectiveCacheSize, ReadinessCheckNames.MaintenanceWorkMem },
            name => Assert.True(checks.Check(name).Ok, name));
    }

    [Fact]
    public async Task StatementTimeout_OnAConnectionOfTheMainPool_IsTheConfiguredOne()
    {
        var pool = Readiness.Pool(60);
        pool.StatementTimeout = TimeSpan.FromMilliseconds(1234);

        var check = (await Readiness.EvaluateAsync(fixture.ConnectionString, pool)).Check(ReadinessCheckNames.StatementTimeout);

        Assert.True(check.Ok);
        Assert.Equal("1234 ms on a connection of the main pool", check.Actual);
        Assert.Equal("1234 ms (Pool:StatementTimeout)", check.Expected);
    }

    [Fact]
    public async Task Memory_MeasuresAnIdleBackend_AndComparesWithTheDocumentsMinimum()
    {
        var small = (await Readiness.EvaluateAsync(fixture.ConnectionString, Readiness.Pool(60), new ReadinessOptions { MinMemory = "1GB" })).Check(ReadinessCheckNames.Memory);
        var huge = (await Readiness.EvaluateAsync(fixture.ConnectionString, Readiness.Pool(60), new ReadinessOptions { MinMemory = "1000TB" })).Check(ReadinessCheckNames.Memory);

        Assert.True(small.Ok, small.Actual);
        Assert.StartsWith("MemTotal ", small.Actual);
        // As root on the server's machine the backend's Pss is readable; otherwise its memory contexts are the measure.
        Assert.Contains(Environment.UserName == "root" ? "less its Pss_Shmem" : "pg_backend_memory_contexts", small.Actual);
        Assert.Contains("of the main pool", small.Actual);
        Assert.Contains("the pool's 60 x ", small.Expected);
        Assert.False(huge.Ok);
        Assert.Contains("1000TB", huge.Expected);
        Assert.StartsWith("Give the machine at least 1000TB", huge.Advice);
    }

    [Fact]
    public async Task Evaluate_MainPoolExhausted_StillAnswersTheServerChecksThroughTheTelemetryPool()
    {
        var settings = Readiness.Pool(60);
        settings.MaxSize = 1;
        await using var main = DataFixture.Pool(fixture.ConnectionString, settings);
        // The pool's only connection is taken for the whole evaluation.
        await using var taken = await main.Current.DataSource.OpenConnectionAsync();

        var checks = await Readiness.EvaluateAsync(fixture.ConnectionString, main, new ReadinessOptions { CheckTimeout = TimeSpan.FromMilliseconds(500) });

        Assert.True(checks.Check(ReadinessCheckNames.MaxConnections).Ok);
        Assert.Equal("128MB", checks.Check(ReadinessCheckNames.SharedBuffers).Actual);
        foreach (var name in new[] { ReadinessCheckNames.StatementTimeout, ReadinessCheckNames.Memory })
        {
            var check = checks.Check(name);
            Assert.False(check.Ok, name);
            Assert.Equal("unknown: no connection of the main pool: the database did not answer within 0.5 s", check.Actual);
            Assert.Contains("/api/admin/pool", check.Advice);
        }
    }

    [Fact]
    public async Task OpenFilesAndCpuCores_AgainstWhatThePoolAndTheOptionsAsk_PassOrFail()
    {
        var modest = await Readiness.EvaluateAsync(fixture.ConnectionString, Readiness.Pool(60), new ReadinessOptions { MinCpuCores = 1 });
        var greedy = await Readiness.EvaluateAsync(fixture.ConnectionString, Readiness.Pool(60), new ReadinessOptions
        {
            FileDescriptorsBesidesPool = 100_000_000,
            MinCpuCores = Environment.ProcessorCount + 1,
        });

        var soft = MachineFacts.OpenFilesSoftLimit(File.ReadAllText("/proc/self/limits"));
        Assert.True(modest.Check(ReadinessCheckNames.OpenFiles).Ok);
        Assert.Equal($"{soft} (soft limit)", modest.Check(ReadinessCheckNames.OpenFiles).Actual);
        Assert.True(modest.Check(ReadinessCheckNames.CpuCores).Ok);
        Assert.False(greedy.Check(ReadinessCheckNames.OpenFiles).Ok);
        Assert.Contains("LimitNOFILE=100000060", greedy.Check(ReadinessCheckNames.OpenFiles).Advice);
        Assert.False(greedy.Check(ReadinessCheckNames.CpuCores).Ok);
        Assert.Equal($"{Environment.ProcessorCount}", greedy.Check(ReadinessCheckNames.CpuCores).Actual);
    }
}

[Collection(BareServerCollection.Name)]
public sealed class ReadinessOnASmallServerTests(BareServerFixture fixture)
{
    [Fact]
    public async Task MaxConnections_ServerStartedWithFewConnections_FailsAndSaysWhatToSet()
    {
        var check = (await Readiness.EvaluateAsync(fixture.ConnectionString, Readiness.Pool(40))).Check(ReadinessCheckNames.MaxConnections);

        Assert.False(check.Ok);
        Assert.Equal($"{BareServerFixture.MaxConnections}", check.Actual);
        Assert.Contains("max_connections = 240", check.Advice);
        Assert.DoesNotContain("lower Pool:MaxSize", check.Advice);
    }
}
