using ExamConsole.Api.Admin;
using ExamConsole.Api.Admission;
using ExamConsole.Data.Pool;
using ExamConsole.Data.Telemetry;

namespace ExamConsole.Console.Model;

/// <summary>
/// The admission gate at one moment, with the rate at which it sheds. <see cref="MaxConcurrent"/> is
/// the limit in force in either mode; <see cref="Changes"/> counts operators' changes (pin, release).
/// </summary>
public sealed record AdmissionSample(
    int? MaxConcurrent,
    int? QueueLimit,
    int InFlight,
    int Queued,
    long RejectedTotal,
    double ShedPerSecond,
    AdmissionMode Mode = AdmissionMode.Fixed,
    int Changes = 0);

/// <summary>This process's memory: working set, managed heap, what the GC says is available.</summary>
public sealed record MemorySample(long WorkingSetBytes, long ManagedHeapBytes, long AvailableBytes, double LoadPercent, bool Pressure);

/// <summary>One route over the SLO window: requests per second, 5xx share and latency percentiles.</summary>
public sealed record RouteLatency(string Route, double RequestsPerSecond, double ErrorRatePercent, double P50Ms, double P95Ms, double P99Ms, long Requests);

/// <summary>Everything the overview shows, sampled at one moment.</summary>
public sealed record ConsoleSample(
    DateTimeOffset At,
    PoolSnapshot Pool,
    CircuitStatus Circuit,
    AdmissionSample Admission,
    ServerStats? Server,
    MemorySample Memory,
    IReadOnlyList<RouteLatency> Routes);

/// <summary>What the time series keeps of each sample: the pool, and the admission gate with its limit in force.</summary>
public sealed record HistoryPoint(
    DateTimeOffset At,
    int Busy,
    int Idle,
    int Pending,
    double UtilizationPercent,
    int? Limit = null,
    int InFlight = 0,
    int Queued = 0,
    double ShedPerSecond = 0,
    AdmissionMode Mode = AdmissionMode.Fixed,
    int LimitChanges = 0,
    int SpoolDepth = 0)
{
    public static HistoryPoint Of(ConsoleSample sample) =>
        new(sample.At, sample.Pool.Busy, sample.Pool.Idle, sample.Pool.Pending, sample.Pool.UtilizationPercent,
            sample.Admission.MaxConcurrent, sample.Admission.InFlight, sample.Admission.Queued, sample.Admission.ShedPerSecond,
            sample.Admission.Mode, sample.Admission.Changes, sample.Circuit.SpoolDepth);
}
