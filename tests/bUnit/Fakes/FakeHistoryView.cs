using System.Text.Json;
using ExamConsole.Api.Admin;
using ExamConsole.Api.History;
using ExamConsole.Console.Model;

namespace ExamConsole.Console.Tests.Fakes;

/// <summary>A history the test shapes by hand; every read is kept (from, to) so the test can see which range a page asked for.</summary>
public sealed class FakeHistoryView : IHistoryView
{
    public List<(DateTimeOffset From, DateTimeOffset To)> HistoryReads { get; } = [];

    public List<(DateTimeOffset From, DateTimeOffset To)> ReportReads { get; } = [];

    /// <summary>The points every history read answers (their range is the one asked for).</summary>
    public List<HistoryPointResponse> Points { get; } = [HistorySamples.Point(Samples.Start.AddMinutes(-2)), HistorySamples.Point(Samples.Start.AddMinutes(-1))];

    /// <summary>What every report read answers, with the range asked for.</summary>
    public ReportResponse Report { get; set; } = HistorySamples.Report();

    /// <summary>When set, every read is refused with it (the server's reason).</summary>
    public string? Refusal { get; set; }

    public Task<HistoryResponse> HistoryAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        HistoryReads.Add((from, to));
        return Refusal is { } reason
            ? Task.FromException<HistoryResponse>(new HistoryRangeException(reason))
            : Task.FromResult(new HistoryResponse(from, to, 5, [.. Points]));
    }

    public Task<ReportResponse> ReportAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        ReportReads.Add((from, to));
        return Refusal is { } reason
            ? Task.FromException<ReportResponse>(new HistoryRangeException(reason))
            : Task.FromResult(Report with { From = from, To = to });
    }
}

/// <summary>History points and reports with the figures a test cares about.</summary>
public static class HistorySamples
{
    public static HistoryPointResponse Point(DateTimeOffset at, double busy = 10, double max = 100, double requests = 40) =>
        new(at, busy + 4, busy, 4, 0, max, 100 * busy / max, 3.5, requests, 0.5, 0, 0, "closed");

    public static ReportResponse Report() => new(
        Samples.Start.AddMinutes(-10), Samples.Start, 1,
        [
            new ReportRoute("GET /api/exams/{examId}/paper", 5, 1200, 0, 1.2, 4.1, 6.8, true),
            new ReportRoute("POST /api/auth/login", 3, 300, 2, 2.5, 7.9, 12.0, false),
            new ReportRoute("PUT /api/attempts/{attemptId}/answers", null, 5400, 1, 3.1, 8.2, 15.5, null),
        ],
        new ReportPool(82.5, new ReportBands(480, 90, 30), 42.25, 3),
        [
            new ReportIncident("circuit-open", "node-2", Samples.Start.AddMinutes(-6), Samples.Start.AddMinutes(-5), "open for 60 s"),
            new ReportIncident("node-lost", "node-3", Samples.Start.AddMinutes(-3), null, "no samples since"),
        ],
        [
            new AuditEntryResponse(Samples.Start.AddMinutes(-4), "olga", "pool.resize",
                JsonDocument.Parse("""{"maxSize":100}""").RootElement, JsonDocument.Parse("""{"maxSize":120}""").RootElement, 2,
                [new AuditApplied("node-1", Samples.Start.AddMinutes(-4))]),
        ]);
}
