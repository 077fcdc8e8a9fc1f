using System.Globalization;
using ExamConsole.Api.History;
using ExamConsole.Console.Model;
using ExamConsole.Console.Tests.Fakes;

namespace ExamConsole.Console.Tests.Model;

public sealed class ReportCsvTests
{
    /// <summary>An RFC 4180 reader, written separately from the writer, so the test reads the file as a spreadsheet would.</summary>
    private static List<List<string>> Parse(string csv)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < csv.Length; i++)
        {
            var c = csv[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < csv.Length && csv[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                row.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\r' && i + 1 < csv.Length && csv[i + 1] == '\n')
            {
                row.Add(field.ToString());
                field.Clear();
                rows.Add(row);
                row = [];
                i++;
            }
            else if (c is '\r' or '\n')
            {
                Assert.Fail($"A bare {(c == '\n' ? "LF" : "CR")} outside quotes at {i}: not RFC 4180.");
            }
            else
            {
                field.Append(c);
            }
        }
        Assert.True(field.Length == 0 && row.Count == 0, "The file must end with CRLF.");
        return rows;
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData("cr\rhere", "\"cr\rhere\"")]
    [InlineData("", "")]
    public void Field_QuotesOnlyWhatRfc4180Requires(string value, string expected) =>
        Assert.Equal(expected, ReportCsv.Field(value));

    [Fact]
    public void Write_EveryRowHasTheHeadersColumns_AndRoutesCarryTheirFigures()
    {
        var rows = Parse(ReportCsv.Write(HistorySamples.Report()));

        Assert.Equal(ReportCsv.Columns, rows[0]);
        Assert.All(rows, r => Assert.Equal(ReportCsv.Columns.Length, r.Count));
        var login = rows.Single(r => r[0] == "route" && r[1] == "POST /api/auth/login");
        Assert.Equal(["300", "2", "2.5", "7.9", "12", "3", "missed"], login[6..13]);
        Assert.Equal("met", rows.Single(r => r[1] == "GET /api/exams/{examId}/paper")[12]);
        var untargeted = rows.Single(r => r[1] == "PUT /api/attempts/{attemptId}/answers");
        Assert.Equal(("", ""), (untargeted[11], untargeted[12]));
        Assert.Equal("82.5", rows.Single(r => r[0] == "pool" && r[1] == "peak_utilization_percent")[13]);
        Assert.Equal("30", rows.Single(r => r[0] == "pool" && r[1] == "seconds_red")[13]);
        Assert.Equal(2, rows.Count(r => r[0] == "incident"));
        Assert.Single(rows, r => r[0] == "action");
    }

    [Fact]
    public void Write_TimesAreUtcIso8601_AndAnOpenIncidentHasNoEnd()
    {
        var rows = Parse(ReportCsv.Write(HistorySamples.Report()));

        var range = rows.Single(r => r[0] == "report");
        Assert.Equal(("2026-11-27T08:50:00.000Z", "2026-11-27T09:00:00.000Z"), (range[4], range[5]));
        var lost = rows.Single(r => r[0] == "incident" && r[1] == "node-lost");
        Assert.Equal(("2026-11-27T08:57:00.000Z", ""), (lost[4], lost[5]));
    }

    [Fact]
    public void Write_FieldsWithCommasQuotesAndLineBreaks_SurviveARoundTrip()
    {
        var detail = "spool, \"big\"\r\nand growing";
        var report = HistorySamples.Report() with
        {
            Incidents = [new ReportIncident("spool-not-empty", "node,2", Samples.Start, null, detail)],
        };

        var rows = Parse(ReportCsv.Write(report));

        var incident = rows.Single(r => r[0] == "incident");
        Assert.Equal(("node,2", detail), (incident[2], incident[14]));
        var action = rows.Single(r => r[0] == "action");
        Assert.Equal("before {\"maxSize\":100} after {\"maxSize\":120}", action[14]);
    }

    [Fact]
    public void Write_NumbersAreInvariant_WhateverTheServersCulture()
    {
        var before = CultureInfo.CurrentCulture;
        try
        {
            // A decimal comma (as in cs-CZ; built by hand, the build runs in invariant globalization mode) would split every figure into two fields.
            var comma = (CultureInfo)CultureInfo.InvariantCulture.Clone();
            comma.NumberFormat.NumberDecimalSeparator = ",";
            CultureInfo.CurrentCulture = comma;
            var rows = Parse(ReportCsv.Write(HistorySamples.Report()));

            Assert.Equal("42.25", rows.Single(r => r[1] == "acquire_p99_ms")[13]);
            Assert.Equal("7.9", rows.Single(r => r[1] == "POST /api/auth/login")[9]);
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }
    }
}
