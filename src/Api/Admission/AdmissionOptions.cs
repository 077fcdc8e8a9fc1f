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

    /// <summary>
    /// Fixed: <see cref="MaxConcurrent"/> is the limit. Adaptive: the limit follows measured throughput
    /// (<see cref="GradientLimit"/>) between <see cref="AdaptiveFloor"/> and <see cref="AdaptiveCeiling"/>,
    /// starting from MaxConcurrent. Fixed stays the default until adaptive wins bench/knee.sh's
    /// overload on the deployment's machines (issue 17, item 3).
    /// </summary>
    public AdmissionMode Mode { get; set; } = AdmissionMode.Fixed;

    /// <summary>The adaptive limit never goes below this: the node always serves this many at once.</summary>
    public int AdaptiveFloor { get; set; } = 8;

    /// <summary>The adaptive limit never goes above this (a quiet server would otherwise raise it without end).</summary>
    public int AdaptiveCeiling { get; set; } = 512;

    /// <summary>How far above and below its centre the adaptive limit is held in each half of a cycle, to measure what more or fewer in flight serve (0.15: 15 %); probing <see cref="AdaptiveProbe.Above"/>, the high probe is (1 + this) / (1 - this) over the centre (35 %).</summary>
    public double AdaptiveStep { get; set; } = 0.15;

    /// <summary>
    /// The return a higher limit must still bring for the adaptive limit to rise: the elasticity of
    /// throughput to the limit it settles at (0.1: the high probe, 35 % more in flight than the low one,
    /// must serve at least 3 % more). Above it the limit rises, below it falls, so that on a plateau,
    /// where more in flight only adds waiting, it walks down to the knee instead of drifting with the
    /// noise. 0.25 settled where a smooth throughput curve gives about 89 % of its top; 0.1, about 96 %
    /// (the centre probing <see cref="AdaptiveProbe.Around"/>; probing Above it rests a step lower, where
    /// Around's low probe is).
    /// </summary>
    public double AdaptiveMinimumGain { get; set; } = 0.1;

    /// <summary>
    /// How many probe cycles the elasticity is fitted over (8: the last 16 measured windows; 16 s of
    /// 500 ms windows probing every cycle, 64 s with <see cref="AdaptiveRestCycles"/> 3, longer as windows
    /// stretch to twice the requests' latency), so that one noisy window does not swing the limit; more
    /// is steadier and slower to follow.
    /// </summary>
    public int AdaptiveFitCycles { get; set; } = 8;

    /// <summary>
    /// Cycles the adaptive limit rests at its centre after each probe cycle (0: it probes without a
    /// rest). The probes seem to cost something on a node near its knee (the low half's queue waits
    /// longer, the high half's requests take longer: our reading of the seventh look, not established);
    /// resting probes a fraction 1 / (1 + this) of the time, and the fit then spans 1 + this times as
    /// long (see <see cref="AdaptiveFitCycles"/>). 3 with <see cref="AdaptiveProbe"/> Above served 436 to 530 requests/s against 453 to 491
    /// for fixed 64 in an interleaved sweep; probing every cycle around the centre, 296 to 363 against
    /// 377 to 414 (BENCHMARKS.md, issue 17).
    /// </summary>
    public int AdaptiveRestCycles { get; set; } = 3;

    /// <summary>
    /// Where the probes go. Around: <see cref="AdaptiveStep"/> above and below the centre. Above: the
    /// low probe is the centre itself and the high one as far above it as the two are apart around it
    /// (35 % with a step of 0.15), so the limit never dips below where it rests; the measure is the same,
    /// and the centre settles where Around's low probe did.
    /// </summary>
    public AdaptiveProbe AdaptiveProbe { get; set; } = AdaptiveProbe.Above;

    /// <summary>The shortest window of completed requests (a probe cycle is four windows: two at the high probe, two at the low one).</summary>
    public TimeSpan AdaptiveWindow { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The fewest completed requests a window needs: a quiet node keeps its limit rather than judge from two requests.</summary>
    public int AdaptiveMinSamples { get; set; } = 20;
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
        check.Require(Enum.IsDefined(o.Mode), nameof(o.Mode), "must be Fixed or Adaptive", o.Mode.ToString());
        check.Require(Enum.IsDefined(o.AdaptiveProbe), nameof(o.AdaptiveProbe), "must be Around or Above", o.AdaptiveProbe.ToString());
        check.Between(nameof(o.AdaptiveFloor), o.AdaptiveFloor, 1, AdmissionOptions.LimitMax);
        check.Between(nameof(o.AdaptiveCeiling), o.AdaptiveCeiling, Math.Max(1, o.AdaptiveFloor), AdmissionOptions.LimitMax);
        check.Between(nameof(o.AdaptiveStep), o.AdaptiveStep, 0.05, 0.5);
        check.Between(nameof(o.AdaptiveMinimumGain), o.AdaptiveMinimumGain, 0.0, 0.9);
        check.Between(nameof(o.AdaptiveFitCycles), o.AdaptiveFitCycles, 2, 64);
        check.Between(nameof(o.AdaptiveRestCycles), o.AdaptiveRestCycles, 0, 64);
        check.Between(nameof(o.AdaptiveWindow), o.AdaptiveWindow, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(1));
        check.Between(nameof(o.AdaptiveMinSamples), o.AdaptiveMinSamples, 1, 100_000);
        return check.Result;
    }
}

/// <summary>Who sets the in-flight limit: the operator (fixed) or measured throughput (adaptive).</summary>
public enum AdmissionMode
{
    Fixed = 0,
    Adaptive = 1,
}

/// <summary>Where the adaptive limit's probes go: either side of its centre, or from the centre up.</summary>
public enum AdaptiveProbe
{
    Around = 0,
    Above = 1,
}

/// <summary>Which requests go first when the gate is full: submissions and answer saves before reads.</summary>
public enum AdmissionPriority
{
    High = 0,
    Low = 1,
}

/// <summary>
/// The gate as the operator API and the console show it. <see cref="MaxConcurrent"/> is the limit in
/// force in either mode; <see cref="Changes"/> counts operators' changes, so that a chart can mark them.
/// </summary>
public sealed record AdmissionState(
    int? MaxConcurrent,
    int? QueueLimit,
    int InFlight,
    int Queued,
    long RejectedTotal,
    long AdmittedTotal,
    AdmissionMode Mode = AdmissionMode.Fixed,
    int AdaptiveFloor = 1,
    int AdaptiveCeiling = AdmissionOptions.LimitMax,
    int Changes = 0);
