using ExamConsole.Data;
using Microsoft.Extensions.Options;

namespace ExamConsole.Api.Admission;

/// <summary>The admission gate in front of the teacher endpoints (section <c>Admission</c>); operators change the limits at run time.</summary>
public sealed class AdmissionOptions
{
    public const string SectionName = "Admission";

    /// <summary>The largest <see cref="MaxConcurrent"/> and <see cref="QueueLimit"/> accepted, from configuration or from an operator.</summary>
    public const int LimitMax = 1_000_000;

    /// <summary>The longest Retry-After bound accepted: a teacher told to come back later than this has missed the exam.</summary>
    public static readonly TimeSpan RetryAfterLimit = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Teacher requests in flight at once (null: no limit). 64 is the knee measured on a 2-core node
    /// sharing its cores with PostgreSQL (bench/knee.sh, BENCHMARKS.md): most requests served per
    /// second and the shortest tails; 256 lost a fifth of that and 1,024 collapsed. Re-measure on the
    /// deployment's machines (about 32 per core is the starting point), and set it per node.
    /// </summary>
    public int? MaxConcurrent { get; set; } = 64;

    /// <summary>Requests waiting for a slot (null: no limit; 0: shed at once when full).</summary>
    public int? QueueLimit { get; set; } = 4096;

    /// <summary>Longest a request waits in the queue before it is shed with 503.</summary>
    public TimeSpan QueueTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The shortest Retry-After sent with a shed request (it grows with the backlog; see AdmissionController.RetryAfterNow).</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest Retry-After before its random spread (which adds up to as much again).</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>Refuses nonsense admission settings at start, naming the key and the accepted range.</summary>
public sealed class AdmissionOptionsValidator : IValidateOptions<AdmissionOptions>
{
    public ValidateOptionsResult Validate(string? name, AdmissionOptions o)
    {
        var check = new OptionsCheck(AdmissionOptions.SectionName);
        if (o.MaxConcurrent is { } maxConcurrent)
        {
            check.Between(nameof(o.MaxConcurrent), maxConcurrent, 1, AdmissionOptions.LimitMax, "empty for no limit");
        }
        if (o.QueueLimit is { } queueLimit)
        {
            check.Between(nameof(o.QueueLimit), queueLimit, 0, AdmissionOptions.LimitMax, "empty for no limit");
        }
        // Every wait has a bound: a negative timeout would be refused by the timer, or be infinite (-1 ms).
        check.Between(nameof(o.QueueTimeout), o.QueueTimeout, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(1));
        // Retry-After is sent in whole seconds.
        check.WholeSecondsBetween(nameof(o.RetryAfter), o.RetryAfter, TimeSpan.FromSeconds(1), AdmissionOptions.RetryAfterLimit);
        check.Require(
            o.MaxRetryAfter >= o.RetryAfter && o.MaxRetryAfter <= AdmissionOptions.RetryAfterLimit && o.MaxRetryAfter.Ticks % TimeSpan.TicksPerSecond == 0,
            nameof(o.MaxRetryAfter),
            $"must be a whole number of seconds between Admission:RetryAfter ({OptionsCheck.Show(o.RetryAfter)}) and {OptionsCheck.Show(AdmissionOptions.RetryAfterLimit)}",
            OptionsCheck.Show(o.MaxRetryAfter));
        return check.Result;
    }
}

/// <summary>Which requests go first when the gate is full: submissions and answer saves before reads.</summary>
public enum AdmissionPriority
{
    High = 0,
    Low = 1,
}

/// <summary>The gate as the operator API and the console show it.</summary>
public sealed record AdmissionState(int? MaxConcurrent, int? QueueLimit, int InFlight, int Queued, long RejectedTotal, long AdmittedTotal);
