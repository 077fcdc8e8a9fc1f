using System.Text.Json;
using System.Text.Json.Serialization;
using ExamConsole.Api.Admin;

namespace ExamConsole.Api.History;

/// <summary>One step of the history: gauges averaged over the step and summed over the nodes, rates per second.</summary>
public sealed record HistoryPointResponse(
    DateTimeOffset At,
    double Open,
    double Busy,
    double Idle,
    double Pending,
    double MaxSize,
    double UtilizationPercent,
    double AcquireP99Ms,
    double RequestsPerSecond,
    double ErrorsPerSecond,
    double ShedPerSecond,
    double SpoolDepth,
    string Circuit);

public sealed record HistoryResponse(DateTimeOffset From, DateTimeOffset To, int StepSeconds, IReadOnlyList<HistoryPointResponse> Points);

public sealed record ReportRoute(string Route, double? TargetMs, long Requests, long Errors, double P50Ms, double P95Ms, double P99Ms, bool? Met);

public sealed record ReportBands(long Green, long Yellow, long Red);

public sealed record ReportPool(double PeakUtilizationPercent, ReportBands SecondsByBand, double AcquireP99Ms, long Timeouts);

public sealed record ReportIncident(string Kind, string Node, DateTimeOffset From, DateTimeOffset? To, string Detail);

public sealed record ReportResponse(
    DateTimeOffset From,
    DateTimeOffset To,
    int ResolutionSeconds,
    IReadOnlyList<ReportRoute> Routes,
    ReportPool Pool,
    IReadOnlyList<ReportIncident> Incidents,
    IReadOnlyList<AuditEntryResponse> Actions);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(HistoryResponse))]
[JsonSerializable(typeof(ReportResponse))]
public sealed partial class HistoryJsonContext : JsonSerializerContext;
