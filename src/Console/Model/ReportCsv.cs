using System.Globalization;
using System.Text;
using System.Text.Json;
using ExamConsole.Api.History;

namespace ExamConsole.Console.Model;

/// <summary>
/// The exam-day report as one RFC 4180 table: every row the same columns, a <c>section</c> column
/// saying which part of the report it is (report, route, pool, incident, action), CRLF line ends,
/// fields quoted when they hold a comma, a quote or a line break, numbers in the invariant culture,
/// times in UTC ISO-8601. A spreadsheet opens it as is; a script filters it by section.
/// </summary>
public static class ReportCsv
{
    public static readonly string[] Columns =
    [
        "section", "name", "node", "actor", "from_utc", "to_utc", "requests", "errors", "p50_ms", "p95_ms", "p99_ms", "target_ms", "met", "value", "detail",
    ];

    public static string Write(ReportResponse report)
    {
        var csv = new StringBuilder();
        Row(csv, Columns);
        Row(csv, ["report", "range", "", "", Time(report.From), Time(report.To), "", "", "", "", "", "", "", Number(report.ResolutionSeconds), "resolution in seconds"]);
        foreach (var r in report.Routes)
        {
            Row(csv,
            [
                "route", r.Route, "", "", Time(report.From), Time(report.To), Number(r.Requests), Number(r.Errors), Number(r.P50Ms), Number(r.P95Ms), Number(r.P99Ms),
                r.TargetMs is { } t ? Number(t) : "", r.Met switch { true => "met", false => "missed", null => "" }, "", "",
            ]);
        }
        var pool = report.Pool;
        Pool(csv, report, "peak_utilization_percent", Number(pool.PeakUtilizationPercent));
        Pool(csv, report, "seconds_green", Number(pool.SecondsByBand.Green));
        Pool(csv, report, "seconds_yellow", Number(pool.SecondsByBand.Yellow));
        Pool(csv, report, "seconds_red", Number(pool.SecondsByBand.Red));
        Pool(csv, report, "acquire_p99_ms", Number(pool.AcquireP99Ms));
        Pool(csv, report, "timeouts", Number(pool.Timeouts));
        foreach (var i in report.Incidents)
        {
            Row(csv, ["incident", i.Kind, i.Node, "", Time(i.From), i.To is { } to ? Time(to) : "", "", "", "", "", "", "", "", "", i.Detail]);
        }
        foreach (var a in report.Actions)
        {
            Row(csv,
            [
                "action", a.Action, string.Join(" ", a.Applied.Select(x => x.Node)), a.Actor, Time(a.At), "", "", "", "", "", "", "", "",
                a.SettingsVersion is { } v ? Number(v) : "", $"before {Json(a.Before)} after {Json(a.After)}",
            ]);
        }
        return csv.ToString();
    }

    /// <summary>One field as RFC 4180 writes it: quoted (quotes doubled) when it holds a comma, a quote, CR or LF.</summary>
    public static string Field(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static void Pool(StringBuilder csv, ReportResponse report, string name, string value) =>
        Row(csv, ["pool", name, "", "", Time(report.From), Time(report.To), "", "", "", "", "", "", "", value, ""]);

    private static string Json(JsonElement? element) => element is { } e ? e.GetRawText() : "null";

    private static void Row(StringBuilder csv, string[] fields)
    {
        for (var i = 0; i < fields.Length; i++)
        {
            if (i > 0)
            {
                csv.Append(',');
            }
            csv.Append(Field(fields[i]));
        }
        csv.Append("\r\n");
    }
}
