using System.Globalization;
using ExamConsole.Api.History;
using ExamConsole.Data.Admin;
using ExamConsole.Data.History;
using ExamConsole.Data.Pool;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ExamConsole.Console.Model;

/// <summary>
/// The fleet's history and the exam-day report as the console reads them: what
/// <c>GET /api/admin/history</c> and <c>GET /api/admin/report</c> answer, read in-process.
/// </summary>
public interface IHistoryView
{
    /// <summary>Throws <see cref="HistoryRangeException"/> for a range the server refuses (too long, older than kept).</summary>
    Task<HistoryResponse> HistoryAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>Throws <see cref="HistoryRangeException"/> for a range the server refuses.</summary>
    Task<ReportResponse> ReportAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);
}

/// <summary>A range the history refuses, with the server's reason (the API's ValidationProblem detail).</summary>
public sealed class HistoryRangeException(string message) : Exception(message);

/// <summary>Goes through <see cref="HistoryApi"/>'s own handlers, so the console and the API validate and shape ranges alike.</summary>
internal sealed class HistoryView(
    HistoryReader reader,
    IResponseTimeTargets targets,
    IAuditRange audit,
    IOptions<HistoryOptions> options,
    IOptions<PoolSettings> pool,
    TimeProvider time) : IHistoryView
{
    public async Task<HistoryResponse> HistoryAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        Unwrap<HistoryResponse>((await HistoryApi.HistoryAsync(Iso(from), Iso(to), null, reader, options, time, cancellationToken)).Result);

    public async Task<ReportResponse> ReportAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        Unwrap<ReportResponse>((await HistoryApi.ReportAsync(Iso(from), Iso(to), reader, targets, audit, options, pool, time, cancellationToken)).Result);

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static T Unwrap<T>(Microsoft.AspNetCore.Http.IResult result) => result switch
    {
        Ok<T> ok => ok.Value!,
        ValidationProblem problem => throw new HistoryRangeException(string.Join(" ", problem.ProblemDetails.Errors.SelectMany(e => e.Value))),
        _ => throw new InvalidOperationException($"Unexpected answer from the history: {result.GetType().Name}."),
    };
}
