using ExamConsole.Api.Contracts;
using ExamConsole.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ExamConsole.Api.Exams;

/// <summary>
/// Every exam's metadata, cached per node and refreshed in the background of a request every
/// <see cref="ExamApiOptions.CatalogRefresh"/>: the exam list and the open/closed checks need no database trip.
/// </summary>
public sealed class ExamCatalog(ExamDb db, IOptions<ExamApiOptions> options, TimeProvider time)
{
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private volatile Snapshot? _snapshot;

    public async ValueTask<ExamSummary?> FindAsync(int examId, CancellationToken cancellationToken)
    {
        var snapshot = await GetAsync(cancellationToken);
        return snapshot.ById.GetValueOrDefault(examId);
    }

    public async ValueTask<List<ExamSummary>> ListAsync(IReadOnlySet<int> examIds, CancellationToken cancellationToken)
    {
        var snapshot = await GetAsync(cancellationToken);
        return snapshot.Ordered.Where(e => examIds.Contains(e.ExamId)).ToList();
    }

    /// <summary>Whether the exam accepts work at this moment.</summary>
    public bool IsOpen(ExamSummary exam) => IsOpen(exam, time.GetUtcNow());

    public static bool IsOpen(ExamSummary exam, DateTimeOffset now) => now >= exam.OpensAt && now < exam.ClosesAt;

    private async ValueTask<Snapshot> GetAsync(CancellationToken cancellationToken)
    {
        var current = _snapshot;
        if (current is not null && time.GetUtcNow() - current.LoadedAt < options.Value.CatalogRefresh)
        {
            return current;
        }
        await _refreshing.WaitAsync(cancellationToken);
        try
        {
            current = _snapshot;
            if (current is not null && time.GetUtcNow() - current.LoadedAt < options.Value.CatalogRefresh)
            {
                return current;
            }
            await using var lease = await db.LeaseAsync(cancellationToken);
            var exams = await lease.Context.Exams.AsNoTracking()
                .OrderBy(e => e.Id)
                .Select(e => new ExamSummary(e.Id, e.Title, e.OpensAt, e.ClosesAt, e.DurationMinutes, e.Questions.Count))
                .ToListAsync(cancellationToken);
            _snapshot = current = new Snapshot(time.GetUtcNow(), exams, exams.ToDictionary(e => e.ExamId));
            return current;
        }
        finally
        {
            _refreshing.Release();
        }
    }

    private sealed record Snapshot(DateTimeOffset LoadedAt, List<ExamSummary> Ordered, Dictionary<int, ExamSummary> ById);
}
