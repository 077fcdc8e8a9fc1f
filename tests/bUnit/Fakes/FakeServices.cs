using ExamConsole.Api.Admin;
using ExamConsole.Api.Admission;
using ExamConsole.Console.Auth;
using ExamConsole.Console.Model;
using ExamConsole.Data.Admin;
using ExamConsole.Data.Pool;
using ExamConsole.Data.Telemetry;
using ExamConsole.Data.Telemetry.Readiness;
using Microsoft.AspNetCore.Http;

namespace ExamConsole.Console.Tests.Fakes;

/// <summary>Operator controls that keep their numbers and ask the one pool-size rule, as the engine does.</summary>
public sealed class FakeOperatorControls : IOperatorControls
{
    public int ServerMaxConnections { get; set; } = 300;
    public int Reserve { get; set; } = 50;

    /// <summary>The max_connections ServerLimitAsync reports; the resize itself checks the real numbers (they can differ if the server changed).</summary>
    public int? ReportedMaxConnections { get; set; }

    public int MaxSize { get; private set; } = 100;
    public int MinSize { get; private set; } = 10;
    public int? MaxConcurrent { get; private set; } = 1024;
    public int? QueueLimit { get; private set; } = 4096;
    public AdmissionMode Mode { get; private set; } = AdmissionMode.Fixed;
    public string CircuitState { get; private set; } = "closed";
    public bool ForceFallback { get; private set; }
    public int SpoolDepth { get; set; } = 3;
    public List<string> Calls { get; } = [];

    /// <summary>Called after each change of the fleet's settings (every change but the drain).</summary>
    public Action? Changed { get; set; }

    public PoolSnapshot Pool() => Samples.Pool(maxSize: MaxSize, minSize: MinSize) with { Server = new ServerConnections(ServerMaxConnections, 17) };

    public AdmissionState Throttle() => new(MaxConcurrent, QueueLimit, 7, 0, 0, 100, Mode, 8, 512);

    public CircuitStatus Circuit() => new(CircuitState, SpoolDepth, null, ForceFallback);

    public Task<ServerLimit> ServerLimitAsync(CancellationToken cancellationToken) =>
        Task.FromResult(new ServerLimit(ReportedMaxConnections ?? ServerMaxConnections, Reserve));

    public Task<PoolSnapshot> ResizePoolAsync(string actor, int maxSize, int minSize, CancellationToken cancellationToken)
    {
        PoolSizeRule.Ensure(maxSize, minSize, new ServerLimit(ServerMaxConnections, Reserve));
        Calls.Add($"{actor}: resize {maxSize}/{minSize}");
        (MaxSize, MinSize) = (maxSize, minSize);
        Changed?.Invoke();
        return Task.FromResult(Pool());
    }

    public Task<AdmissionState> SetThrottleAsync(string actor, AdmissionMode mode, int? maxConcurrent, int? queueLimit)
    {
        var adaptive = mode == AdmissionMode.Adaptive ? "adaptive from " : "";
        Calls.Add($"{actor}: throttle {adaptive}{maxConcurrent?.ToString() ?? "none"}/{queueLimit?.ToString() ?? "none"}");
        Mode = mode;
        (MaxConcurrent, QueueLimit) = (mode == AdmissionMode.Adaptive ? Math.Clamp(maxConcurrent ?? MaxConcurrent ?? 512, 8, 512) : maxConcurrent, queueLimit);
        Changed?.Invoke();
        return Task.FromResult(Throttle());
    }

    public Task<CircuitStatus> OpenCircuitAsync(string actor)
    {
        Calls.Add($"{actor}: open");
        CircuitState = "isolated";
        Changed?.Invoke();
        return Task.FromResult(Circuit());
    }

    public Task<CircuitStatus> CloseCircuitAsync(string actor)
    {
        Calls.Add($"{actor}: close");
        CircuitState = "closed";
        Changed?.Invoke();
        return Task.FromResult(Circuit());
    }

    public Task<CircuitStatus> SetForceFallbackAsync(string actor, bool on)
    {
        Calls.Add($"{actor}: fallback {on}");
        ForceFallback = on;
        Changed?.Invoke();
        return Task.FromResult(Circuit());
    }

    public Task<int> DrainSpoolAsync(string actor, CancellationToken cancellationToken)
    {
        Calls.Add($"{actor}: drain");
        var drained = SpoolDepth;
        SpoolDepth = 0;
        return Task.FromResult(drained);
    }
}

public sealed class FakePlaybook : IPlaybookSteps
{
    private readonly HashSet<string> _applied = [];

    public List<string> Calls { get; } = [];

    public Task<IReadOnlyList<PlaybookStep>> StepsAsync(CancellationToken cancellationToken) => Task.FromResult(Steps());

    public Task<IReadOnlyList<PlaybookStep>> ApplyAsync(string stepId, string actor, CancellationToken cancellationToken)
    {
        Calls.Add($"{actor}: apply {stepId}");
        _applied.Add(stepId);
        return Task.FromResult(Steps());
    }

    public Task<IReadOnlyList<PlaybookStep>> RevertAsync(string stepId, string actor, CancellationToken cancellationToken)
    {
        Calls.Add($"{actor}: revert {stepId}");
        _applied.Remove(stepId);
        return Task.FromResult(Steps());
    }

    private IReadOnlyList<PlaybookStep> Steps() =>
    [
        new("query-performance", EmergencyPlaybook.HighUsage, 1, "Monitor query performance for bottlenecks", false, false, "acquire p99 7.3 ms", null, "why 1"),
        new("leaks", EmergencyPlaybook.HighUsage, 2, "Check for connection leaks", false, false, "0 lease(s)", null, "why 2"),
        new(EmergencyPlaybook.ReduceConnections, EmergencyPlaybook.HighUsage, 4, "Consider temporary connection reduction", true, _applied.Contains(EmergencyPlaybook.ReduceConnections), "max 100, min 10", "max 50, min 10", "why 4"),
        new(EmergencyPlaybook.OpenCircuit, EmergencyPlaybook.Exhaustion, 1, "Circuit breaker activation", true, _applied.Contains(EmergencyPlaybook.OpenCircuit), "circuit closed", "circuit isolated", "why e1"),
        new(EmergencyPlaybook.ScalePool, EmergencyPlaybook.Exhaustion, 4, "Emergency pool scaling", true, _applied.Contains(EmergencyPlaybook.ScalePool), "max 100", "max 250", "why e4"),
    ];
}

public sealed class FakeServerInsight : IServerInsight
{
    public List<string> Calls { get; } = [];
    public List<StatementSort> Sorts { get; } = [];
    public List<LongRunningQuery> LongRunning { get; } = [new(4242, 12_000, "active", null, "SELECT pg_sleep(60)", "examconsole")];
    public List<SlowCommand> Slow { get; } = [];

    public TimeSpan LongRunningThreshold => TimeSpan.FromSeconds(5);

    public TimeSpan SlowCommandThreshold => TimeSpan.FromMilliseconds(100);

    public long SlowCommandsTotal => Slow.Count;

    public Task<StatementsReport> TopStatementsAsync(StatementSort sort, int limit, CancellationToken cancellationToken)
    {
        Sorts.Add(sort);
        StatementStat[] all = [new("SELECT a FROM answers", 10, 50, 500), new("INSERT INTO submissions", 1000, 2, 2000)];
        var ordered = sort switch
        {
            StatementSort.Mean => all.OrderByDescending(s => s.MeanMs),
            StatementSort.Calls => all.OrderByDescending(s => s.Calls),
            _ => all.OrderByDescending(s => s.TotalMs),
        };
        return Task.FromResult(new StatementsReport(true, null, ordered.Take(limit).ToList()));
    }

    public Task<IReadOnlyList<LongRunningQuery>> LongRunningAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<LongRunningQuery>>([.. LongRunning]);

    public IReadOnlyList<SlowCommand> RecentSlowCommands(int max) => Slow.AsEnumerable().Reverse().Take(max).ToList();

    public Task<BackendSignal> CancelAsync(string actor, int pid, CancellationToken cancellationToken)
    {
        Calls.Add($"{actor}: cancel {pid}");
        return Task.FromResult(BackendSignal.Sent);
    }

    public Task<BackendSignal> TerminateAsync(string actor, int pid, CancellationToken cancellationToken)
    {
        Calls.Add($"{actor}: terminate {pid}");
        return Task.FromResult(BackendSignal.Sent);
    }
}

public sealed class FakeLeakWatch : ILeakWatch
{
    public List<LeaseInfo> Leaks { get; } = [];
    public List<LeakEvent> Events { get; } = [];

    public TimeSpan Threshold => TimeSpan.FromSeconds(30);

    public int ActiveLeases => Leaks.Count + 3;

    public IReadOnlyList<LeaseInfo> SuspectedLeaks() => [.. Leaks];

    public IReadOnlyList<LeakEvent> LeakEvents() => [.. Events];
}

public sealed class FakeReadiness : IReadinessChecks
{
    public List<ReadinessCheck> Checks { get; } =
    [
        new(ReadinessCheckNames.MaxConnections, true, "8200", ">= 8200", null),
        new(ReadinessCheckNames.Memory, false, "8 GiB", ">= 16 GiB", "Give the machine 16 GiB or more."),
    ];

    public int Evaluations { get; private set; }

    public Task<IReadOnlyList<ReadinessCheck>> EvaluateAsync(CancellationToken cancellationToken)
    {
        Evaluations++;
        return Task.FromResult<IReadOnlyList<ReadinessCheck>>([.. Checks]);
    }
}

public sealed class FakeAuditTrail : IAuditTrail
{
    private int _reads;

    public List<AuditRecord> Records { get; } = [];

    public int Reads => Volatile.Read(ref _reads);

    public Task<IReadOnlyList<AuditRecord>> ListAsync(int limit, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        return Task.FromResult<IReadOnlyList<AuditRecord>>(Records.Take(limit).ToList());
    }
}

public sealed class FakeSignIn : IConsoleSignIn
{
    public AdminSignInResult Result { get; set; } = new AdminSignInResult.Refused();
    public List<string?> Usernames { get; } = [];

    public Task<AdminSignInResult> SignInAsync(HttpContext? context, string? username, string? password, CancellationToken cancellationToken)
    {
        Usernames.Add(username);
        return Task.FromResult(Result);
    }
}
