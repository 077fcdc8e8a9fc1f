using System.Net.Sockets;
using ExamConsole.Api.Resilience;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Polly.CircuitBreaker;

namespace ExamConsole.Api.Tests.Telemetry;

/// <summary>
/// Polly's own telemetry on the database pipelines: events on meter "Polly" (resilience.polly.strategy.events)
/// and log lines in category "Polly", tagged with the pipeline and the strategy. Polly's meter is
/// process-wide; the test assembly runs one test at a time, and each test keeps only its pipelines' events.
/// </summary>
public sealed class ResilienceTelemetryTests : IDisposable
{
    private const string EventsInstrument = "resilience.polly.strategy.events";

    private readonly FakeTimeProvider _time = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FakeLoggerProvider _logs = new();
    private readonly ILoggerFactory _loggerFactory;
    private readonly MetricCollector<int> _events = new(null, "Polly", EventsInstrument);

    public ResilienceTelemetryTests() =>
        _loggerFactory = LoggerFactory.Create(logging => logging.AddProvider(_logs).SetMinimumLevel(LogLevel.Debug));

    private DatabaseResilience Create() => new(
        Options.Create(new ResilienceOptions
        {
            MaxRetries = 1,
            RetryDelay = TimeSpan.Zero,
            MinimumThroughput = 2,
            FailureRatio = 0.5,
            SamplingDuration = TimeSpan.FromSeconds(10),
            BreakDuration = TimeSpan.FromSeconds(5),
        }),
        _services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
        _time,
        NullLogger<DatabaseResilience>.Instance,
        _loggerFactory);

    private static NpgsqlException NetworkError() => new("Exception while connecting", new SocketException((int)SocketError.ConnectionReset));

    [Fact]
    public async Task Breaker_OpeningHalfOpeningAndClosing_EachIsAPollyEventAndLogLine()
    {
        var resilience = Create();

        for (var i = 0; i < 2; i++)
        {
            await Assert.ThrowsAsync<NpgsqlException>(async () => await resilience.Once.ExecuteAsync<int>(_ => throw NetworkError()));
        }
        await Assert.ThrowsAsync<BrokenCircuitException>(async () => await resilience.Once.ExecuteAsync(_ => ValueTask.FromResult(1)));
        _time.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(1, await resilience.Once.ExecuteAsync(_ => ValueTask.FromResult(1)));

        var breaker = Events(DatabaseResilience.PipelineNames.Circuit);
        Assert.Equal(["OnCircuitOpened", "OnCircuitHalfOpened", "OnCircuitClosed"], breaker.Select(e => e.Tags["event.name"]));
        Assert.All(breaker, e => Assert.Equal("circuit", e.Tags["strategy.name"]));
        Assert.Equal("Error", breaker[0].Tags["event.severity"]);
        Assert.Equal(typeof(NpgsqlException).FullName, breaker[0].Tags["exception.type"]);
        var opened = Assert.Single(_logs.Collector.GetSnapshot(), l => l.Category == "Polly" && l.Message.Contains("OnCircuitOpened", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Error, opened.Level);
        Assert.Contains(DatabaseResilience.PipelineNames.Circuit, opened.Message);
    }

    [Fact]
    public async Task Breaker_IsolatedAndClosedByAnOperator_BothAreReported()
    {
        var resilience = Create();

        await resilience.OpenAsync("operator");
        await resilience.CloseAsync("operator");

        Assert.Equal(["OnCircuitOpened", "OnCircuitClosed"], Events(DatabaseResilience.PipelineNames.Circuit).Select(e => e.Tags["event.name"]));
    }

    [Fact]
    public async Task Idempotent_TransientErrorRetried_ReportsTheRetryAndLogsSuccessfulAttemptsAtDebug()
    {
        var resilience = Create();
        var calls = 0;

        Assert.Equal(2, await resilience.Idempotent.ExecuteAsync(_ => ++calls == 1 ? throw NetworkError() : ValueTask.FromResult(calls)));

        var retry = Assert.Single(Events(DatabaseResilience.PipelineNames.Idempotent));
        Assert.Equal("OnRetry", retry.Tags["event.name"]);
        Assert.Equal("retry", retry.Tags["strategy.name"]);
        var attempts = _logs.Collector.GetSnapshot().Where(l => l.Category == "Polly" && l.Message.Contains("Execution attempt", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, attempts.Count);
        // The failed (handled) attempt keeps Polly's Warning; the successful one, Information in Polly, is Debug here.
        Assert.Equal([LogLevel.Warning, LogLevel.Debug], attempts.Select(l => l.Level));
    }

    [Fact]
    public async Task SuccessfulExecutions_LogNothingAboveDebug()
    {
        // Polly logs every pipeline execution at Information, with its result: a line per database call
        // (344,110 in one benchmark run of the host), each naming the attempt and the teacher it returned.
        var resilience = Create();

        Assert.Equal(1, await resilience.Once.ExecuteAsync(_ => ValueTask.FromResult(1)));
        Assert.Equal(2, await resilience.Idempotent.ExecuteAsync(_ => ValueTask.FromResult(2)));

        var lines = _logs.Collector.GetSnapshot().Where(l => l.Category == "Polly").ToList();
        Assert.Contains(lines, l => l.Message.Contains("Resilience pipeline executed", StringComparison.Ordinal));
        Assert.All(lines, l => Assert.Equal(LogLevel.Debug, l.Level));
    }

    [Fact]
    public async Task LogLines_NameTheResultsTypeButNotItsContent()
    {
        var resilience = Create();

        Assert.Equal("T0001234", (await resilience.Idempotent.ExecuteAsync(_ => ValueTask.FromResult(new Row("T0001234")))).Code);

        var lines = _logs.Collector.GetSnapshot().Where(l => l.Category == "Polly").ToList();
        Assert.Contains(lines, l => l.Message.Contains("Result: 'Row'", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Message.Contains("T0001234", StringComparison.Ordinal));
    }

    private sealed record Row(string Code);

    // Polly also counts every execution as a PipelineExecuting event (Debug); these tests look at the others.
    private List<CollectedMeasurement<int>> Events(string pipeline) =>
        _events.GetMeasurementSnapshot()
            .Where(m => m.Tags.TryGetValue("pipeline.name", out var name) && name as string == pipeline && m.Tags["event.name"] as string != "PipelineExecuting")
            .ToList();

    public void Dispose()
    {
        _events.Dispose();
        _loggerFactory.Dispose();
        _logs.Dispose();
        _services.Dispose();
    }
}
