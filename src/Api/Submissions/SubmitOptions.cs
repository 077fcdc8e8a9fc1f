using ExamConsole.Data;
using Microsoft.Extensions.Options;

namespace ExamConsole.Api.Submissions;

/// <summary>The submission path (section <c>Submit</c>).</summary>
public sealed class SubmitOptions
{
    public const string SectionName = "Submit";

    /// <summary>Gather concurrent submissions into one transaction (batch processing: how the deployment's exam submission target of 10 ms is met).</summary>
    public bool GroupCommit { get; set; } = true;

    /// <summary>Most submissions in one transaction.</summary>
    public int MaxBatch { get; set; } = 64;

    /// <summary>How long a batch waits for more submissions once it has one (0: take what is there).</summary>
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromMilliseconds(1);

    /// <summary>Transactions in flight at once.</summary>
    public int Committers { get; set; } = 4;

    /// <summary>
    /// Start with every new submission sent to the spool (an operator's emergency switch, off by
    /// default); the switch itself is <see cref="Resilience.DatabaseResilience.ForceFallback"/>.
    /// </summary>
    public bool ForceFallback { get; set; }
}

/// <summary>Refuses nonsense submission settings at start, naming the key and the accepted range.</summary>
public sealed class SubmitOptionsValidator : IValidateOptions<SubmitOptions>
{
    public ValidateOptionsResult Validate(string? name, SubmitOptions o) =>
        new OptionsCheck(SubmitOptions.SectionName)
            .Between(nameof(o.MaxBatch), o.MaxBatch, 1, 1024)
            // Every submission of a batch waits this long at worst, against a 10 ms target: more than a second is a typo.
            .Between(nameof(o.MaxWait), o.MaxWait, TimeSpan.Zero, TimeSpan.FromSeconds(1))
            // Each committer holds a pooled connection while it commits.
            .Between(nameof(o.Committers), o.Committers, 1, 64)
            .Result;
}
