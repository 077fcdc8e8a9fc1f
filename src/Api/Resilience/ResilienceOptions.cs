namespace ExamConsole.Api.Resilience;

/// <summary>The database resilience pipeline (section <c>Resilience</c>).</summary>
public sealed class ResilienceOptions
{
    public const string SectionName = "Resilience";

    /// <summary>Longest a database operation may take, retries included.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries of an idempotent operation after a transient error (the deployment's answer to network issues: quick timeout and retry).</summary>
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
