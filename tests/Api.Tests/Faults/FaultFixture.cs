using System.Net.Http.Json;
using ExamConsole.Api.Fleet;
using ExamConsole.Data.Pool;
using ExamConsole.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ExamConsole.Api.Tests.Faults;

/// <summary>
/// A cluster and a host of their own for the fault tests, which stop PostgreSQL and fill the pool:
/// nothing else runs on them. The resilience settings are shortened so that an outage is seen in seconds.
/// </summary>
public sealed class FaultFixture : IAsyncLifetime
{
    public TestPostgres Postgres { get; private set; } = null!;

    public ExamHostFactory Factory { get; private set; } = null!;

    public TestData Data { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Postgres = await TestPostgres.StartAsync("faults");
        Factory = new ExamHostFactory(Postgres.ConnectionString);
        foreach (var (key, value) in Settings)
        {
            Factory.Settings[key] = value;
        }
        _ = Factory.Server;
        Data = new TestData(Postgres.ConnectionString);
    }

    public static readonly Dictionary<string, string?> Settings = new()
    {
        ["Pool:MaxSize"] = "8",
        ["Pool:AcquireTimeout"] = "00:00:01",
        ["Pool:QueryTimeout"] = "00:00:02",
        ["Resilience:TotalTimeout"] = "00:00:03",
        ["Resilience:MinimumThroughput"] = "5",
        ["Resilience:BreakDuration"] = "00:00:02",
        ["Resilience:RetryDelay"] = "00:00:00.050",
        ["Spool:ReplayInterval"] = "00:00:00.200",
        ["Admission:MaxConcurrent"] = "64",
        ["Admission:QueueLimit"] = "128",
        ["Admission:QueueTimeout"] = "00:00:01",
    };

    /// <summary>
    /// Waits until the fixture's node is alone in the fleet again, with the whole Pool:MaxSize as its share.
    /// The tests that start a node of their own on this cluster and SIGKILL it leave that node counted alive
    /// for Fleet:AliveWindow (6 s), and the fixture's node has half the budget until then. A test that holds
    /// every connection must not start in that window: the share coming back in the middle of it is a
    /// resize, whose new generation has connections free (CI saw a submit answered 200 instead of 202).
    /// </summary>
    public async Task AloneInTheFleetAsync()
    {
        var applier = Factory.Services.GetRequiredService<SettingsApplier>();
        var engine = Factory.Services.GetRequiredService<PoolEngine>();
        var configured = int.Parse(Settings["Pool:MaxSize"]!, System.Globalization.CultureInfo.InvariantCulture);
        await Eventually.TrueAsync(
            () => applier.LiveNodes == 1 && engine.Snapshot().MaxSize == configured,
            $"the fault host to be alone in the fleet with a pool of {configured}",
            TimeSpan.FromSeconds(30));
    }

    /// <summary>Teachers logged in, each with an attempt at exam 1.</summary>
    public async Task<List<(HttpClient Client, long AttemptId)>> TeachersWithAttemptsAsync(int count)
    {
        var result = new List<(HttpClient, long)>();
        foreach (var teacher in await Task.WhenAll(Enumerable.Range(0, count).Select(_ => Data.CreateTeacherAsync())))
        {
            var client = await Factory.TeacherClientAsync(teacher.Code, teacher.Password);
            var response = await client.PostAsync("/api/exams/1/attempts", null);
            response.EnsureSuccessStatusCode();
            var attempt = await response.Content.ReadFromJsonAsync<AttemptBody>();
            result.Add((client, attempt!.AttemptId));
        }
        return result;
    }

    public async Task DisposeAsync()
    {
        await Factory.DisposeAsync();
        await Postgres.DisposeAsync();
    }

    private sealed record AttemptBody(long AttemptId);
}

[CollectionDefinition(Name)]
public sealed class FaultCollection : ICollectionFixture<FaultFixture>
{
    public const string Name = "faults";
}
