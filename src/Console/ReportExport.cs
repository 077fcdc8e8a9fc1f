using System.Globalization;
using System.Text;
using System.Text.Json;
using ExamConsole.Api.History;
using ExamConsole.Console.Auth;
using ExamConsole.Console.Model;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ExamConsole.Console;

/// <summary>
/// The report page's downloads: <c>GET /report/export.csv</c> and <c>/report/export.json</c>, for a
/// signed-in administrator's console cookie (not a bearer token: <c>/api/admin/report</c> is that).
/// A plain link the browser saves, so an export of a long day never travels through the circuit.
/// </summary>
public static class ReportExport
{
    public const string CsvPath = "/report/export.csv";
    public const string JsonPath = "/report/export.json";

    public static IEndpointRouteBuilder MapReportExport(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("").RequireAuthorization(ConsoleAuth.ReadPolicy).ExcludeFromDescription();
        group.MapGet(CsvPath, CsvAsync);
        group.MapGet(JsonPath, JsonAsync);
        return routes;
    }

    /// <summary>The link to an export of the range, for the page.</summary>
    public static string Link(string path, DateTimeOffset from, DateTimeOffset to) =>
        $"{path.TrimStart('/')}?from={Uri.EscapeDataString(ReportCsv.Time(from))}&to={Uri.EscapeDataString(ReportCsv.Time(to))}";

    public static async Task<Results<FileContentHttpResult, ValidationProblem>> CsvAsync(string? from, string? to, IHistoryView history, CancellationToken cancellationToken)
    {
        var (report, problem) = await ReadAsync(from, to, history, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        // With a BOM, spreadsheets read the file as UTF-8 (node names and actors may not be ASCII).
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(ReportCsv.Write(report!))).ToArray();
        return TypedResults.File(bytes, "text/csv; charset=utf-8", FileName(report!, "csv"));
    }

    public static async Task<Results<FileContentHttpResult, ValidationProblem>> JsonAsync(string? from, string? to, IHistoryView history, CancellationToken cancellationToken)
    {
        var (report, problem) = await ReadAsync(from, to, history, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        // The API's own serializer: the file is what GET /api/admin/report answers for the range.
        var bytes = JsonSerializer.SerializeToUtf8Bytes(report!, HistoryJsonContext.Default.ReportResponse);
        return TypedResults.File(bytes, "application/json", FileName(report!, "json"));
    }

    public static string FileName(ReportResponse report, string extension) =>
        string.Create(CultureInfo.InvariantCulture, $"exam-report-{report.From.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{report.To.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}.{extension}");

    private static async Task<(ReportResponse? Report, ValidationProblem? Problem)> ReadAsync(string? from, string? to, IHistoryView history, CancellationToken cancellationToken)
    {
        if (Parse(from) is not { } start)
        {
            return (null, Invalid("from", "from must be an ISO-8601 time such as 2026-12-01T09:00:00Z."));
        }
        if (Parse(to) is not { } end)
        {
            return (null, Invalid("to", "to must be an ISO-8601 time such as 2026-12-01T11:00:00Z."));
        }
        try
        {
            return (await history.ReportAsync(start, end, cancellationToken), null);
        }
        catch (HistoryRangeException e)
        {
            return (null, Invalid("range", e.Message));
        }
    }

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    private static DateTimeOffset? Parse(string? value) =>
        !string.IsNullOrWhiteSpace(value)
        && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
            ? at : null;
}
