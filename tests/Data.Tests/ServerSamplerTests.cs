using ExamConsole.Data.Telemetry;
using ExamConsole.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ExamConsole.Data.Tests;

[Collection(DataCollection.Name)]
public sealed class ServerSamplerTests(DataFixture fixture)
{
    [Fact]
    public async Task Sampler_ReadsAtStartAndAgainAtEachTickOfItsClock()
    {
        var start = new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero);
        var clock = new FakeTimeProvider(start);
        var options = new ServerTelemetryOptions { SampleInterval = TimeSpan.FromSeconds(2) };
        await using var telemetry = DataFixture.Telemetry(fixture.ConnectionString, options);
        var cache = new ServerStatsCache();
        using var sampler = new ServerSampler(
            DataFixture.View(telemetry, options, clock), cache, Options.Create(options), clock, NullLogger<ServerSampler>.Instance);
        Assert.Null(cache.Latest);

        await sampler.StartAsync(CancellationToken.None);
        var first = await Eventually.UntilAsync(() => Task.FromResult(cache.Latest), s => s is not null, "the first sample at start");
        Assert.Equal(start, first!.At);
        Assert.Equal(DataFixture.MaxConnections, first.MaxConnections);

        await using var open = await fixture.OpenAsync("data-tests-sampled");
        await using var transaction = await open.BeginTransactionAsync();
        await DataFixture.ScalarAsync<int>(open, "SELECT 1");
        clock.Advance(TimeSpan.FromSeconds(2));

        var second = await Eventually.UntilAsync(() => Task.FromResult(cache.Latest!), s => s.At == start.AddSeconds(2), "a sample at the tick");
        Assert.Equal(first.IdleInTransaction + 1, second.IdleInTransaction);
        Assert.Null(cache.LastFailureAt);

        await sampler.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Sample_OnDemand_ReadsNowAndKeepsItAsTheNewestForEveryReader()
    {
        await using var telemetry = DataFixture.Telemetry(fixture.ConnectionString);
        using var sampler = DataFixture.Sampler(DataFixture.View(telemetry));
        Assert.Null(sampler.Latest);

        var stats = await sampler.SampleAsync(CancellationToken.None);

        Assert.Equal(DataFixture.MaxConnections, stats.MaxConnections);
        Assert.Same(stats, sampler.Latest);
    }

    [Fact]
    public async Task Sample_ServerUnreachable_FailsAndKeepsTheLastFigures()
    {
        await using var telemetry = DataFixture.Telemetry(fixture.ConnectionString);
        using var sampler = DataFixture.Sampler(DataFixture.View(telemetry));
        var good = await sampler.SampleAsync(CancellationToken.None);
        await using var nowhere = DataFixture.Telemetry(fixture.ConnectionString + ";Port=1");
        var cache = new ServerStatsCache();
        cache.Update(good);
        using var broken = new ServerSampler(
            DataFixture.View(nowhere), cache, Options.Create(new ServerTelemetryOptions()), TimeProvider.System, NullLogger<ServerSampler>.Instance);

        await Assert.ThrowsAnyAsync<Exception>(() => broken.SampleAsync(CancellationToken.None));

        Assert.Same(good, broken.Latest);
        Assert.NotNull(cache.LastFailureAt);
    }
}
