using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Telemetry;
using Polly.Timeout;

namespace ExamConsole.Api.Resilience;

/// <summary>
/// The Polly pipelines around database work: a total timeout, a jittered retry of transient errors
/// for idempotent operations only, and one circuit breaker shared by all of them, which opens on a
/// failure ratio and which an operator can open (isolate) and close. Polly's own telemetry is on
/// (meter "Polly" and log category "Polly"): every retry, timeout and breaker transition is an event
/// tagged with its pipeline (<see cref="PipelineNames"/>) and strategy.
/// </summary>
public sealed partial class DatabaseResilience : ICircuitControl
{
    public const string Closed = "closed";
    public const string Open = "open";
    public const string HalfOpen = "half_open";
    public const string Isolated = "isolated";

    /// <summary>The pipelines' names in Polly's telemetry (tag pipeline.name).</summary>
    public static class PipelineNames
    {
        public const string Circuit = "database-circuit";
        public const string Idempotent = "database-idempotent";
        public const string Once = "database-once";
    }

    private readonly CircuitBreakerManualControl _manual = new();
    private volatile bool _forceFallback;
    private readonly CircuitBreakerStateProvider _state = new();
    private readonly ILogger<DatabaseResilience> _logger;
    private readonly Counter<long> _transitions;
    private readonly TimeProvider _time;
    // The state the last transition left the circuit in, and when: each transition's log line says what it
    // left and for how long. Polly raises its callbacks one at a time, but OpenAsync/CloseAsync may race them.
    private readonly Lock _transitionLock = new();
    private string _lastState = Closed;
    private long _lastChangedAt;

    public DatabaseResilience(IOptions<ResilienceOptions> options, IMeterFactory meterFactory, TimeProvider time, ILogger<DatabaseResilience> logger, ILoggerFactory? loggerFactory = null)
    {
        _logger = logger;
        _time = time;
        _lastChangedAt = time.GetTimestamp();
        var o = options.Value;
        var telemetry = new TelemetryOptions
        {
            LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance,
            // Polly logs every successful attempt and every pipeline execution at Information, with its
            // result: lines per database operation (344,110 in one benchmark run), naming attempts and
            // teachers. Those go to Debug; retries (handled attempts), timeouts and breaker transitions
            // keep their severity.
            SeverityProvider = args => args.Event.Severity == ResilienceEventSeverity.Information
                && args.Event.EventName is "ExecutionAttempt" or "PipelineExecuted"
                    ? ResilienceEventSeverity.Debug
                    : args.Event.Severity,
            // Polly writes each outcome's result into its lines: attempt rows, a teacher's id. The lines
            // name its type only, at any level.
            ResultFormatter = static (_, result) => result?.GetType().Name,
        };
        var meter = meterFactory.Create("ExamConsole.Resilience");
        _transitions = meter.CreateCounter<long>("examconsole.circuit.transitions", "{transition}", "Circuit breaker state changes, by new state");
        meter.CreateObservableGauge("examconsole.circuit.state", () => StateLevel(State), "{state}", "0 closed, 1 half open, 2 open, 3 isolated");

        var breaker = new ResiliencePipelineBuilder { TimeProvider = time, Name = PipelineNames.Circuit }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                Name = "circuit",
                FailureRatio = o.FailureRatio,
                MinimumThroughput = o.MinimumThroughput,
                SamplingDuration = o.SamplingDuration,
                BreakDuration = o.BreakDuration,
                ManualControl = _manual,
                StateProvider = _state,
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsDatabaseFailure),
                OnOpened = args => Changed(args.IsManual ? Isolated : Open, args.Outcome.Exception?.GetType().Name, args.IsManual),
                OnClosed = args => Changed(Closed, null, args.IsManual),
                OnHalfOpened = _ => Changed(HalfOpen, null, isManual: false),
            })
            .ConfigureTelemetry(telemetry)
            .Build();

        var idempotent = new ResiliencePipelineBuilder { TimeProvider = time, Name = PipelineNames.Idempotent }
            .AddTimeout(new TimeoutStrategyOptions { Name = "timeout", Timeout = o.TotalTimeout })
            .ConfigureTelemetry(telemetry);
        // Polly's retry takes at least one attempt: with no retries configured, there is no retry strategy.
        if (o.MaxRetries > 0)
        {
            idempotent.AddRetry(new RetryStrategyOptions
            {
                Name = "retry",
                MaxRetryAttempts = o.MaxRetries,
                Delay = o.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                // Retrying into an exhausted pool or an open circuit only adds load.
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
            });
        }
        Idempotent = idempotent.AddPipeline(breaker).Build();

        Once = new ResiliencePipelineBuilder { TimeProvider = time, Name = PipelineNames.Once }
            .AddTimeout(new TimeoutStrategyOptions { Name = "timeout", Timeout = o.TotalTimeout })
            .AddPipeline(breaker)
            .ConfigureTelemetry(telemetry)
            .Build();
        BreakDuration = o.BreakDuration;
    }

    /// <summary>For operations that may run twice with the same effect (reads, upserts, submissions keyed by submissionId).</summary>
    public ResiliencePipeline Idempotent { get; }

    /// <summary>For operations that must not be repeated: no retry.</summary>
    public ResiliencePipeline Once { get; }

    public TimeSpan BreakDuration { get; }

    /// <summary>closed, open, half_open or isolated (opened by an operator).</summary>
    public string State => _state.CircuitState switch
    {
        CircuitState.Open => Open,
        CircuitState.HalfOpen => HalfOpen,
        CircuitState.Isolated => Isolated,
        _ => Closed,
    };

    /// <summary>True while database work is refused at once (open or isolated).</summary>
    public bool IsOpen => _state.CircuitState is CircuitState.Open or CircuitState.Isolated;

    /// <summary>
    /// The operator's switch: while on, every new submission goes to the spool without trying
    /// PostgreSQL and the replayer holds back. Set through OperatorActions (the operator API and the
    /// console); its position at start is <c>Submit:ForceFallback</c>.
    /// </summary>
    public bool ForceFallback
    {
        get => _forceFallback;
        set => _forceFallback = value;
    }

    /// <summary>True while an operator keeps work off PostgreSQL: fallback forced, or circuit isolated.</summary>
    public bool SpoolOnly => ForceFallback || State == Isolated;

    /// <summary>Raised after every state change, with the new state and who caused it (null: the breaker itself).</summary>
    public event Action<string, string?>? StateChanged;

    /// <summary>Opens the circuit until <see cref="CloseAsync"/>: database work fails fast, submissions go to the spool.</summary>
    public async Task OpenAsync(string actor)
    {
        var before = State;
        await _manual.IsolateAsync();
        LogOperatorChange("open", actor, before, State);
        StateChanged?.Invoke(Isolated, actor);
    }

    /// <summary>
    /// Closes the circuit. On a circuit already closed (the breaker closed itself after a trial, or a
    /// fleet setting is applied again) Polly raises no transition: the line naming the operator is the only one.
    /// </summary>
    public async Task CloseAsync(string actor)
    {
        var before = State;
        await _manual.CloseAsync();
        LogOperatorChange("close", actor, before, State);
        StateChanged?.Invoke(Closed, actor);
    }

    private ValueTask Changed(string state, string? cause, bool isManual)
    {
        _transitions.Add(1, new KeyValuePair<string, object?>("state", state));
        string previous;
        TimeSpan lasted;
        lock (_transitionLock)
        {
            var now = _time.GetTimestamp();
            previous = _lastState;
            lasted = _time.GetElapsedTime(_lastChangedAt, now);
            _lastState = state;
            _lastChangedAt = now;
        }
        LogStateChanged(state, previous, (long)lasted.TotalMilliseconds, cause ?? "-");
        if (!isManual)
        {
            // Manual changes are raised by OpenAsync/CloseAsync, with their actor.
            StateChanged?.Invoke(state, null);
        }
        return ValueTask.CompletedTask;
    }

    private static int StateLevel(string state) => state switch
    {
        HalfOpen => 1,
        Open => 2,
        Isolated => 3,
        _ => 0,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database circuit is now {State} after {PreviousState} for {DurationMs} ms (last failure: {Cause})")]
    private partial void LogStateChanged(string state, string previousState, long durationMs, string cause);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database circuit {Action} by {Actor}: it was {Before}, it is {After}")]
    private partial void LogOperatorChange(string action, string actor, string before, string after);
}
