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

    /// <summary>Send every new submission to the spool (an operator's emergency switch, off by default).</summary>
    public bool ForceFallback { get; set; }
}
