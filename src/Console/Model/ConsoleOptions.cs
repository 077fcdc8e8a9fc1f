using ExamConsole.Api.History;
using Microsoft.Extensions.Options;

namespace ExamConsole.Console.Model;

/// <summary>One route's latency target: "login" is <c>POST /api/auth/login</c> under 3 ms.</summary>
public sealed class SloTarget
{
    /// <summary>The route as ASP.NET Core tags it: method, a space, the route template.</summary>
    public string Route { get; set; } = "";

    public double TargetMs { get; set; }
}

/// <summary>
/// The console's sampling and its targets (section <c>Console</c>). The targets start from the
/// deployment document's response-time targets (<see cref="ResponseTimeTargets"/>); the history's report judges by the ones configured here.
/// </summary>
public sealed class ConsoleOptions
{
    public const string SectionName = "Console";

    /// <summary>How often the overview's figures are sampled into the history.</summary>
    public TimeSpan SampleInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How much history the time series keeps (a new page shows it at once).</summary>
    public TimeSpan History { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The sliding window of each route's request rate, error rate and percentiles.</summary>
    public TimeSpan SloWindow { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest acceptable wait for a connection (100 ms, the deployment's connection acquisition target under peak load).</summary>
    public double AcquireTargetMs { get; set; } = 100;

    /// <summary>Share of a route's requests that may fail (5xx) before its error rate shows red.</summary>
    public double ErrorBudgetPercent { get; set; } = 1;

    /// <summary>Shortest time between two re-renders of a live page.</summary>
    public TimeSpan RenderThrottle { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The deployment's response-time targets by name, starting from the one table of them (<see cref="ResponseTimeTargets.Defaults"/>): login, paper, submit.</summary>
    public Dictionary<string, SloTarget> Targets { get; set; } = ResponseTimeTargets.Defaults
        .ToDictionary(t => t.Key, t => new SloTarget { Route = t.Value.Route, TargetMs = t.Value.TargetMs });

    /// <summary>How many samples the history ring holds (between 1 and 100,000 once validated).</summary>
    public int HistoryCapacity => (int)HistorySamples;

    internal long HistorySamples => History.Ticks / SampleInterval.Ticks;
}

/// <summary>Refuses nonsense console settings at start, naming the key and the accepted range.</summary>
public sealed class ConsoleOptionsValidator : IValidateOptions<ConsoleOptions>
{
    public ValidateOptionsResult Validate(string? name, ConsoleOptions o)
    {
        var failures = new List<string>();
        var intervalValid = o.SampleInterval >= TimeSpan.FromMilliseconds(100) && o.SampleInterval <= TimeSpan.FromMinutes(1);
        if (!intervalValid)
        {
            failures.Add($"Console:SampleInterval must be between 00:00:00.1 and 00:01:00 (got {o.SampleInterval}).");
        }
        // Counted in long: years of History in 100 ms samples do not fit an int.
        if (intervalValid && o.HistorySamples is < 1 or > 100_000)
        {
            failures.Add($"Console:History must hold at least one and at most 100000 samples of Console:SampleInterval (got {o.History}).");
        }
        // The window is a ring of one-second buckets.
        if (o.SloWindow < TimeSpan.FromSeconds(1) || o.SloWindow > TimeSpan.FromMinutes(10) || o.SloWindow.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            failures.Add($"Console:SloWindow must be a whole number of seconds between 00:00:01 and 00:10:00 (got {o.SloWindow}).");
        }
        if (o.RenderThrottle < TimeSpan.Zero || o.RenderThrottle > TimeSpan.FromSeconds(5))
        {
            failures.Add($"Console:RenderThrottle must be between 00:00:00 and 00:00:05 (got {o.RenderThrottle}).");
        }
        if (o.AcquireTargetMs <= 0)
        {
            failures.Add($"Console:AcquireTargetMs must be positive (got {o.AcquireTargetMs}).");
        }
        if (o.ErrorBudgetPercent is < 0 or > 100)
        {
            failures.Add($"Console:ErrorBudgetPercent must be between 0 and 100 (got {o.ErrorBudgetPercent}).");
        }
        foreach (var (key, target) in o.Targets)
        {
            if (target.TargetMs <= 0 || !target.Route.Contains(' ', StringComparison.Ordinal))
            {
                failures.Add($"Console:Targets:{key} needs a Route like \"GET /api/exams/{{examId}}/paper\" and a positive TargetMs (got \"{target.Route}\", {target.TargetMs}).");
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
