using Npgsql;
using NpgsqlTypes;

namespace ExamConsole.ExamDay;

/// <summary>Acknowledged submissions against what PostgreSQL holds afterwards.</summary>
public sealed record SubmissionCheck(
    long Acknowledged,
    long Recorded,
    long Queued,
    bool CheckedInDatabase,
    long? FoundInDatabase,
    long? ReceiptMismatches,
    long? Lost,
    double? SettleSeconds);

/// <summary>
/// Looks every acknowledged submission up by its submissionId. A 202 (queued) submission reaches
/// PostgreSQL when the host replays its spool, so the lookup repeats until all are there or the
/// settle time is over: what is still missing then is lost.
/// </summary>
public static class SubmissionAudit
{
    private const int Chunk = 10_000;

    public static async Task<SubmissionCheck> CheckAsync(IReadOnlyCollection<Acknowledged> acknowledged, string? connectionString, TimeSpan settle, TimeProvider time, CancellationToken cancellationToken)
    {
        var queued = acknowledged.Count(a => a.Queued);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return new SubmissionCheck(acknowledged.Count, acknowledged.Count - queued, queued, false, null, null, null, null);
        }
        var started = time.GetTimestamp();
        var receipts = acknowledged.ToDictionary(a => a.SubmissionId, a => a.ReceiptId);
        var found = new Dictionary<Guid, Guid>();
        // Unpooled: one short look-up, and the tool must not keep connections on the server it measures.
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        while (true)
        {
            var missing = receipts.Keys.Where(id => !found.ContainsKey(id)).ToList();
            foreach (var chunk in missing.Chunk(Chunk))
            {
                await using var command = new NpgsqlCommand("SELECT submission_id, receipt_id FROM submissions WHERE submission_id = ANY(@ids)", connection);
                command.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = chunk });
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    found[reader.GetGuid(0)] = reader.GetGuid(1);
                }
            }
            if (found.Count == receipts.Count || time.GetElapsedTime(started) >= settle)
            {
                break;
            }
            // Queued submissions are replayed by the host on its own schedule: look again shortly, until the settle time.
            await Task.Delay(TimeSpan.FromMilliseconds(250), time, cancellationToken);
        }
        var mismatches = found.Count(f => receipts[f.Key] != f.Value);
        return new SubmissionCheck(
            acknowledged.Count,
            acknowledged.Count - queued,
            queued,
            true,
            found.Count,
            mismatches,
            receipts.Count - found.Count,
            Math.Round(time.GetElapsedTime(started).TotalSeconds, 2));
    }
}
