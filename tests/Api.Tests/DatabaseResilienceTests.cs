using System.Net.Sockets;
using ExamConsole.Api.Resilience;
using ExamConsole.Data.Pool;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Polly.CircuitBreaker;

namespace ExamConsole.Api.Tests;

/// <summary>The deployment's answers to network issues (quick timeout and retry) and its health check integration (circuit breaker).</summary>
public sealed class DatabaseResilienceTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FakeLogger<DatabaseResilience> _log = new();

    private DatabaseResilience Create(int maxRetries = 2, ILogger<DatabaseResilience>? logger = null) => new(
        Options.Create(new ResilienceOptions
        {
            MaxRetries = maxRetries,
            RetryDelay = TimeSpan.Zero,
            MinimumThroughput = 4,
            FailureRatio = 0.5,
            SamplingDuration = TimeSpan.FromSeconds(10),
            BreakDuration = TimeSpan.FromSeconds(5),
        }),
        _services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
        _time,
        logger ?? NullLogger<DatabaseResilience>.Instance);

    private static NpgsqlException NetworkError() => new("Exception while connecting", new SocketException((int)SocketError.ConnectionReset));

    [Fact]
    public async Task Idempotent_TransientNetworkError_IsRetriedAndSucceeds()
    {
        var resilience = Create();
        var calls = 0;

        var result = await resilience.Idempotent.ExecuteAsync(_ => ++calls == 1 ? throw NetworkError() : ValueTask.FromResult(42));

        Assert.Equal(42, result);
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task Idempotent_WithNoRetriesConfigured_TriesOnce()
    {
        var resilience = Create(maxRetries: 0);
        var calls = 0;

        await Assert.ThrowsAsync<NpgsqlException>(async () =>
            await resilience.Idempotent.ExecuteAsync<int>(_ => { calls++; throw NetworkError(); }));

        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Idempotent_ExhaustedPool_IsNotRetried()
    {
        var resilience = Create();
        var calls = 0;

        await Assert.ThrowsAsync<PoolExhaustedException>(async () =>
            await resilience.Idempotent.ExecuteAsync<int>(_ => { calls++; throw new PoolExhaustedException("exhausted"); }));

        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Once_TransientError_IsNotRetried()
    {
        var resilience = Create();
        var calls = 0;

        await Assert.ThrowsAsync<NpgsqlException>(async () =>
            await resilience.Once.ExecuteAsync<int>(_ => { calls++; throw NetworkError(); }));

        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Breaker_OnFailureRatio_OpensFailsFastThenClosesAfterATrial()
    {
        var resilience = Create();
        var changes = new List<(string State, string? Actor)>();
        resilience.StateChanged += (state, actor) => changes.Add((state, actor));
        for (var i = 0; i < 4; i++)
        {
            await Assert.ThrowsAsync<NpgsqlException>(async () => await resilience.Once.ExecuteAsync<int>(_ => throw NetworkError()));
        }

        Assert.Equal(DatabaseResilience.Open, resilience.State);
        Assert.True(resilience.IsOpen);
        var calls = 0;
        await Assert.ThrowsAsync<BrokenCircuitException>(async () => await resilience.Once.ExecuteAsync(_ => ValueTask.FromResult(++calls)));
        Assert.Equal(0, calls);

        _time.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(1, await resilience.Once.ExecuteAsync(_ => ValueTask.FromResult(++calls)));
        Assert.Equal(DatabaseResilience.Closed, resilience.State);
        Assert.Equal([(DatabaseResilience.Open, null), (DatabaseResilience.HalfOpen, null), (DatabaseResilience.Closed, null)], changes);
    }

    [Fact]
    public async Task Breaker_OpenedByOperator_IsIsolatedUntilClosedByOperator()
    {
        var resilience = Create();
        var changes = new List<(string State, string? Actor)>();
        resilience.StateChanged += (state, actor) => changes.Add((state, actor));

        await resilience.OpenAsync("alice");
        _time.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(DatabaseResilience.Isolated, resilience.State);
        await Assert.ThrowsAsync<IsolatedCircuitException>(async () => await resilience.Once.ExecuteAsync(_ => ValueTask.FromResult(1)));
        await resilience.CloseAsync("alice");
        Assert.Equal(DatabaseResilience.Closed, resilience.State);
        Assert.Equal([(DatabaseResilience.Isolated, "alice"), (DatabaseResilience.Closed, "alice")], changes);
    }

    [Fact]
    public async Task Breaker_OpenHalfOpenClosed_EachTransitionLogsTheStateItLeftAndForHowLong()
    {
        var resilience = Create(logger: _log);
        _time.Advance(TimeSpan.FromSeconds(2));
        for (var i = 0; i < 4; i++)
        {
            await Assert.ThrowsAsync<NpgsqlException>(async () => await resilience.Once.ExecuteAsync<int>(_ => throw NetworkError()));
        }
        _time.Advance(TimeSpan.FromSeconds(6));
        // The trial operation takes 250 ms: the time spent half open.
        await resilience.Once.ExecuteAsync(_ => { _time.Advance(TimeSpan.FromMilliseconds(250)); return ValueTask.FromResult(1); });

        Assert.Equal(
            [
                (DatabaseResilience.Open, DatabaseResilience.Closed, "2000", nameof(NpgsqlException)),
                (DatabaseResilience.HalfOpen, DatabaseResilience.Open, "6000", "-"),
                (DatabaseResilience.Closed, DatabaseResilience.HalfOpen, "250", "-"),
            ],
            Transitions());
        Assert.All(_log.Collector.GetSnapshot(), l => Assert.Equal(LogLevel.Warning, l.Level));
        Assert.Equal("Database circuit is now open after closed for 2000 ms (last failure: NpgsqlException)", _log.Collector.GetSnapshot()[0].Message);
    }

    [Fact]
    public async Task Breaker_OpenedAndClosedByOperator_BothTransitionsAreLoggedWithTheirDurations()
    {
        var resilience = Create(logger: _log);

        await resilience.OpenAsync("alice");
        _time.Advance(TimeSpan.FromSeconds(90));
        await resilience.CloseAsync("alice");

        Assert.Equal(
            [
                (DatabaseResilience.Isolated, DatabaseResilience.Closed, "0", "-"),
                (DatabaseResilience.Closed, DatabaseResilience.Isolated, "90000", "-"),
            ],
            Transitions());
        Assert.Equal(
            ["Database circuit open by alice: it was closed, it is isolated", "Database circuit close by alice: it was isolated, it is closed"],
            OperatorLines());
    }

    [Fact]
    public async Task Breaker_ClosedByOperatorWhenAlreadyClosed_IsLoggedThoughNothingChanged()
    {
        var resilience = Create(logger: _log);

        await resilience.CloseAsync("alice");

        Assert.Empty(Transitions());
        Assert.Equal(["Database circuit close by alice: it was closed, it is closed"], OperatorLines());
    }

    private List<string> OperatorLines() =>
        _log.Collector.GetSnapshot().Where(l => l.GetStructuredStateValue("Actor") is not null).Select(l => l.Message).ToList();

    private List<(string? State, string? Previous, string? DurationMs, string? Cause)> Transitions() =>
        _log.Collector.GetSnapshot()
            .Where(l => l.GetStructuredStateValue("PreviousState") is not null)
            .Select(l => (l.GetStructuredStateValue("State"), l.GetStructuredStateValue("PreviousState"), l.GetStructuredStateValue("DurationMs"), l.GetStructuredStateValue("Cause")))
            .ToList();

    [Fact]
    public async Task SpoolOnly_ForcedFallbackOrIsolatedCircuit_IsOnAndOtherwiseOff()
    {
        var resilience = Create();
        Assert.False(resilience.SpoolOnly);

        resilience.ForceFallback = true;
        Assert.True(resilience.SpoolOnly);
        resilience.ForceFallback = false;
        Assert.False(resilience.SpoolOnly);

        await resilience.OpenAsync("alice");
        Assert.True(resilience.SpoolOnly);
        await resilience.CloseAsync("alice");
        Assert.False(resilience.SpoolOnly);
    }

    [Fact]
    public void IsDegradation_DatabaseAwayOrCircuitOpen_IsTrueAndAConstraintIsNot()
    {
        Assert.True(DatabaseResilience.IsDegradation(NetworkError()));
        Assert.True(DatabaseResilience.IsDegradation(new BrokenCircuitException()));
        Assert.True(DatabaseResilience.IsDegradation(new Polly.Timeout.TimeoutRejectedException()));
        Assert.True(DatabaseResilience.IsDegradation(new PoolExhaustedException("exhausted")));
        Assert.False(DatabaseResilience.IsDegradation(new PostgresException("duplicate", "ERROR", "ERROR", PostgresErrorCodes.UniqueViolation)));
        Assert.False(DatabaseResilience.IsDegradation(new InvalidOperationException("bug")));
    }

    [Fact]
    public void IsUnavailable_PoolTimeoutWrappedInInvalidOperation_IsTrueUnlikeADegradation()
    {
        var wrapped = new InvalidOperationException("The connection pool has been exhausted", new TimeoutException());

        Assert.True(DatabaseResilience.IsUnavailable(wrapped));
        Assert.False(DatabaseResilience.IsDegradation(wrapped));
        Assert.True(DatabaseResilience.IsUnavailable(new BrokenCircuitException()));
        Assert.False(DatabaseResilience.IsUnavailable(new InvalidOperationException("bug")));
    }

    [Fact]
    public void IsUnavailable_ShutdownWrappedByEfCoresExecutionStrategy_IsADatabaseFailure()
    {
        // What the exam list threw when PostgreSQL was stopped under it: EF Core's wrapper of a transient failure.
        var shutdown = new PostgresException("terminating connection due to administrator command", "FATAL", "FATAL", PostgresErrorCodes.AdminShutdown);
        var wrapped = new InvalidOperationException("An exception has been raised that is likely due to a transient failure.", shutdown);
        var retried = new Microsoft.EntityFrameworkCore.Storage.RetryLimitExceededException("retries exhausted", NetworkError());

        Assert.True(DatabaseResilience.IsDatabaseFailure(wrapped));
        Assert.True(DatabaseResilience.IsUnavailable(wrapped));
        Assert.True(DatabaseResilience.IsTransient(retried));
        Assert.False(DatabaseResilience.IsDegradation(new InvalidOperationException("bug", new ArgumentException("bad"))));
        Assert.False(DatabaseResilience.IsDegradation(new InvalidOperationException("constraint", new PostgresException("duplicate", "ERROR", "ERROR", PostgresErrorCodes.UniqueViolation))));
    }

    public void Dispose() => _services.Dispose();
}
