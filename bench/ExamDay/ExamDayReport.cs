using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ExamConsole.ExamDay;

/// <summary>What a rehearsal showed; printed, and written as JSON.</summary>
public sealed record ExamDayReport(
    DateTimeOffset StartedAt,
    DateTimeOffset EndedAt,
    double DurationSeconds,
    ReportSettings Settings,
    TeacherCounts Teachers,
    IReadOnlyList<EndpointReport> Endpoints,
    SubmissionCheck Submissions,
    LoadAverages LoadAverage,
    IReadOnlyList<NodeReport> Nodes)
{
    /// <summary>Answers 500-599 over every endpoint (503 sheds included).</summary>
    public long ServerErrors => Endpoints.Sum(e => e.ServerErrors);

    public string ToJson() => JsonSerializer.Serialize(this, ReportJson.Default.ExamDayReport);

    public string ToText()
    {
        var text = new StringBuilder();
        var s = Settings;
        text.AppendLine(CultureInfo.InvariantCulture, $"ExamDay against {s.BaseUrl}: {s.Teachers} teachers from T{s.FirstTeacher:D7}, {s.ArrivalRate}/s after a {s.RampSeconds} s ramp, {s.Rounds} rounds, think {s.ThinkMs} ms, {s.Connections} connections");
        text.AppendLine(CultureInfo.InvariantCulture, $"Source addresses: {(s.SourceAddresses.Count == 0 ? "the default (one)" : string.Join(", ", s.SourceAddresses))}");
        var t = Teachers;
        text.AppendLine(CultureInfo.InvariantCulture, $"Run: {DurationSeconds:F1} s; teachers started {t.Started}/{t.Scheduled}, finished {t.Finished}, failed {t.Failed}, unfinished {t.Unfinished}; latest start {t.MaxStartLagMs:F1} ms behind schedule");
        foreach (var (reason, count) in t.FailureReasons)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  failure: {reason} x{count}");
        }
        text.AppendLine(CultureInfo.InvariantCulture, $"{"endpoint",-11}{"count",9}{"req/s",9}{"p50 ms",9}{"p95 ms",9}{"p99 ms",9}{"max ms",10}  errors");
        foreach (var e in Endpoints)
        {
            var errors = e.Errors.Count == 0 ? "-" : string.Join(", ", e.Errors.Select(x => $"{x.Key}: {x.Value}"));
            text.AppendLine(CultureInfo.InvariantCulture, $"{e.Name,-11}{e.Count,9}{e.RequestsPerSecond,9:F1}{e.P50Ms,9:F2}{e.P95Ms,9:F2}{e.P99Ms,9:F2}{e.MaxMs,10:F2}  {errors}");
        }
        if (Nodes.Count > 1)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{"node",-26}{"teachers",9}{"requests",10}{"conn fail",10}{"failovers",10}");
            foreach (var n in Nodes)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"{n.Url,-26}{n.HomeTeachers,9}{n.Requests,10}{n.ConnectionFailures,10}{n.Failovers,10}");
            }
        }
        var c = Submissions;
        var found = c.CheckedInDatabase
            ? string.Create(CultureInfo.InvariantCulture, $"found in the database {c.FoundInDatabase}, receipt mismatches {c.ReceiptMismatches}, LOST {c.Lost} (looked for {c.SettleSeconds} s)")
            : "not checked against the database (no --db)";
        text.AppendLine(CultureInfo.InvariantCulture, $"Submissions acknowledged {c.Acknowledged} (recorded {c.Recorded}, queued {c.Queued}); {found}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Load average (1 min): {LoadAverage.AtStart:F2} at start, {LoadAverage.AtEnd:F2} at end, {LoadAverage.Max:F2} highest seen; {Environment.ProcessorCount} cores");
        return text.ToString();
    }
}

public sealed record ReportSettings(
    string BaseUrl,
    int Teachers,
    int FirstTeacher,
    int ExamSlot,
    double ArrivalRate,
    double RampSeconds,
    int Rounds,
    int AnswersPerSave,
    double ThinkMs,
    double MaxDurationSeconds,
    int MaxActiveTeachers,
    string Connections,
    IReadOnlyList<string> SourceAddresses);

public sealed record TeacherCounts(
    int Scheduled,
    int Started,
    int Finished,
    int Failed,
    int Unfinished,
    double MaxStartLagMs,
    IReadOnlyDictionary<string, long> FailureReasons);

/// <summary>Latency percentiles are of successful answers only, measured from each request's intended start.</summary>
public sealed record EndpointReport(
    string Name,
    long Count,
    double RequestsPerSecond,
    double P50Ms,
    double P95Ms,
    double P99Ms,
    double MaxMs,
    IReadOnlyDictionary<string, long> Statuses,
    IReadOnlyDictionary<string, long> Errors,
    long ServerErrors);

public sealed record LoadAverages(double AtStart, double AtEnd, double Max);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(ExamDayReport))]
internal sealed partial class ReportJson : JsonSerializerContext;

/// <summary>The 1-minute load average, from /proc/loadavg (0 where there is none).</summary>
public static class LoadAverage
{
    public static double Read()
    {
        try
        {
            var first = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            return double.Parse(first, CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return 0;
        }
    }
}
