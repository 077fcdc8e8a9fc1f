using ExamConsole.Data;
using Microsoft.Extensions.Options;

namespace ExamConsole.Api.Resilience;

/// <summary>The database resilience pipeline (section <c>Resilience</c>).</summary>
public sealed class ResilienceOptions
{
    public const string SectionName = "Resilience";

    /// <summary>Longest a database operation may take, retries included.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries of an idempotent operation after a transient error (the deployment's answer to network issues: quick timeout and retry); 0: none.</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>First retry delay; later ones grow exponentially, with jitter.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The circuit opens when this share of the operations in the sampling window failed...</summary>
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>...and at least this many were made.</summary>
    public int MinimumThroughput { get; set; } = 20;

    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long an opened circuit stays open before one trial operation (half open).</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Refuses nonsense resilience settings at start, naming the key and the accepted range. Polly checks
/// some of these too, but only when the pipeline is first built, on the first request.
/// </summary>
public sealed class ResilienceOptionsValidator : IValidateOptions<ResilienceOptions>
{
    public ValidateOptionsResult Validate(string? name, ResilienceOptions o) =>
        new OptionsCheck(ResilienceOptions.SectionName)
            .Between(nameof(o.TotalTimeout), o.TotalTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5))
            .Between(nameof(o.MaxRetries), o.MaxRetries, 0, 10)
            .Between(nameof(o.RetryDelay), o.RetryDelay, TimeSpan.Zero, TimeSpan.FromSeconds(10))
            .Between(nameof(o.FailureRatio), o.FailureRatio, 0.01, 1.0)
            // Polly's circuit breaker needs at least two operations to compute a ratio.
            .Between(nameof(o.MinimumThroughput), o.MinimumThroughput, 2, 100_000)
            .Between(nameof(o.SamplingDuration), o.SamplingDuration, TimeSpan.FromMilliseconds(500), TimeSpan.FromMinutes(10))
            .Between(nameof(o.BreakDuration), o.BreakDuration, TimeSpan.FromMilliseconds(500), TimeSpan.FromMinutes(10))
            .Result;
}
