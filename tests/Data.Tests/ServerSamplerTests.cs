using ExamConsole.Data.Telemetry;
using ExamConsole.Data.Tests.Fakes;
using ExamConsole.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ExamConsole.Data.Tests;

[Collection(DataCollection.Name)]
public sealed class ServerStatsSamplerTests(DataFixture fixture)
{
    [Fact]
    public async Task Sampler_ReadsAtStartAndAgainAtEachTickOfItsClock()
    {
        var start = new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero);
        var clock = new ManualTimeProvider(start);
        var options = new ServerTelemetryOptions { SampleInterval = TimeSpan.FromSeconds(2) };
        await using var telemetry = DataFixture.Telemetry(fixture.ConnectionString, options);
        var cache = new ServerStatsCache();
        using var sampler = new ServerStatsSampler(
            DataFixture.View(telemetry, options, clock), cache, Options.Create(options), clock, NullLogger<ServerStatsSampler>.Instance);
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
}
