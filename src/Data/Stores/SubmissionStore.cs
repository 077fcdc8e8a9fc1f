using Npgsql;
using NpgsqlTypes;

namespace ExamConsole.Data.Stores;

/// <summary>
/// A submission this node accepted: the client's id, the receipt issued for it, its final answers.
/// The one record of the submission path: the group-commit batcher hands it to
/// <see cref="SubmissionStore"/>, and the spool keeps it on disk as it is (its JSON property names
/// are the spool file's format: renaming one needs a migration of spooled records).
/// </summary>
public sealed record AcceptedSubmission(
    Guid SubmissionId,
    long AttemptId,
    int TeacherId,
    Guid ReceiptId,
    DateTimeOffset AcceptedAt,
    int[] QuestionIds,
    int[] OptionIds);

/// <summary>What PostgreSQL made of a submission.</summary>
public enum WriteOutcome
{
    /// <summary>Inserted now, or the same submissionId was already there (its receipt is returned).</summary>
    Recorded,

    /// <summary>The attempt already holds another submissionId, or this submissionId belongs to another attempt.</summary>
    Conflict,

    /// <summary>No such attempt of this teacher.</summary>
    Rejected,

    /// <summary>Accepted after the attempt's deadline plus grace, by the database's deadline (live submissions only).</summary>
    Gone,
}

public sealed record WriteResult(WriteOutcome Outcome, Guid? ReceiptId);

/// <summary>
/// Records many submissions in one transaction (group commit, and the spool's replay): one row each,
/// whose question and option arrays are the record of the submitted answers. Ownership (and, live, the deadline) is checked
/// in SQL against the attempt; a spooled submission's answers are checked in SQL against the
/// attempt's paper, so that one accepted while the database was away is held to the same rules as a
/// live one, which the node checked against the paper it serves. Idempotent on submissionId.
/// Each call is one try; the caller decides about retries and the circuit.
/// </summary>
public sealed class SubmissionStore(ExamDb db)
{
    /// <summary>
    /// A live submission's answers were checked by the node against the paper it serves (the cached
    /// paper of the attempt's exam) and go in as they are.
    /// </summary>
    private const string LiveInsert =
        """
        INSERT INTO submissions (submission_id, attempt_id, receipt_id, question_ids, option_ids, accepted_at, recorded_at)
        SELECT t.sid, t.aid, t.rid, @qids[t.lo:t.hi], @oids[t.lo:t.hi], t.accepted, now()
        FROM unnest(@sids, @aids, @tids, @rids, @los, @his, @accepted) AS t(sid, aid, tid, rid, lo, hi, accepted)
        JOIN attempts a ON a.id = t.aid AND a.teacher_id = t.tid
        WHERE t.accepted <= a.deadline + @grace::interval
        ON CONFLICT DO NOTHING
        RETURNING submission_id, receipt_id
        """;

    /// <summary>
    /// A spooled submission may have been accepted without the paper (the database was away): only its
    /// answers to questions of the attempt's own exam, with an option of that question, are kept, in
    /// the order sent. The same rule the answers table's joins applied before.
    /// </summary>
    private const string ReplayInsert =
        """
        INSERT INTO submissions (submission_id, attempt_id, receipt_id, question_ids, option_ids, accepted_at, recorded_at)
        SELECT t.sid, t.aid, t.rid, COALESCE(kept.qids, '{}'), COALESCE(kept.oids, '{}'), t.accepted, now()
        FROM unnest(@sids, @aids, @tids, @rids, @los, @his, @accepted) AS t(sid, aid, tid, rid, lo, hi, accepted)
        JOIN attempts a ON a.id = t.aid AND a.teacher_id = t.tid
        CROSS JOIN LATERAL (
            SELECT array_agg(e.qid ORDER BY e.n) AS qids, array_agg(e.oid ORDER BY e.n) AS oids
            FROM unnest(@qids[t.lo:t.hi], @oids[t.lo:t.hi]) WITH ORDINALITY AS e(qid, oid, n)
            JOIN questions q ON q.id = e.qid AND q.exam_id = a.exam_id
            JOIN question_options o ON o.id = e.oid AND o.question_id = q.id) AS kept
        ON CONFLICT DO NOTHING
        RETURNING submission_id, receipt_id
        """;

    /// <param name="batch">The submissions, in any order; the same submissionId may come twice.</param>
    /// <param name="grace">
    /// For live submissions, the grace after the deadline: one accepted after the attempt's deadline
    /// plus grace, by the deadline in the database, is refused (<see cref="WriteOutcome.Gone"/>). Null
    /// for the spool's replay: a submission acknowledged with 202 is recorded whenever it arrives.
    /// </param>
    /// <param name="cancellationToken">Cancels the transaction.</param>
    public async Task<WriteResult[]> WriteAsync(IReadOnlyList<AcceptedSubmission> batch, TimeSpan? grace, CancellationToken cancellationToken)
    {
        await using var lease = await db.LeaseAsync(cancellationToken);
        var connection = lease.Connection;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        var inserted = await InsertSubmissionsAsync(connection, transaction, batch, grace, cancellationToken);
        // The same submissionId may come twice in one batch (a client repeating itself). The row that was
        // inserted is known by the receipt PostgreSQL returned: every copy gets its receipt.
        var claimedBy = new Dictionary<Guid, AcceptedSubmission>();
        foreach (var s in batch)
        {
            if (inserted.TryGetValue(s.SubmissionId, out var receipt) && receipt == s.ReceiptId)
            {
                claimedBy.TryAdd(s.SubmissionId, s);
            }
        }
        var others = batch.Where(s => !inserted.ContainsKey(s.SubmissionId)).ToList();
        var existing = others.Count == 0 ? [] : await ExistingAsync(connection, transaction, others, cancellationToken);
        // Neither inserted nor there already: not the teacher's attempt, or (live only) too late.
        var late = grace is null ? [] : await LateAsync(connection, transaction, others.Where(s => !existing.Any(e => e.SubmissionId == s.SubmissionId || e.AttemptId == s.AttemptId)).ToList(), cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        var results = new WriteResult[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            var s = batch[i];
            if (claimedBy.TryGetValue(s.SubmissionId, out var holder))
            {
                results[i] = holder.AttemptId == s.AttemptId
                    ? new WriteResult(WriteOutcome.Recorded, holder.ReceiptId)
                    : new WriteResult(WriteOutcome.Conflict, null);
            }
            else if (existing.FirstOrDefault(e => e.SubmissionId == s.SubmissionId) is { } same && same.AttemptId == s.AttemptId)
            {
                results[i] = new WriteResult(WriteOutcome.Recorded, same.ReceiptId);
            }
            else if (existing.Any(e => e.AttemptId == s.AttemptId || e.SubmissionId == s.SubmissionId))
            {
                results[i] = new WriteResult(WriteOutcome.Conflict, null);
            }
            else
            {
                results[i] = new WriteResult(late.Contains((s.AttemptId, s.TeacherId)) ? WriteOutcome.Gone : WriteOutcome.Rejected, null);
            }
        }
        return results;
    }

    /// <summary>Inserts what it can; returns the inserted submissionIds with the receipt stored for each.</summary>
    private static async Task<Dictionary<Guid, Guid>> InsertSubmissionsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<AcceptedSubmission> batch, TimeSpan? grace, CancellationToken cancellationToken)
    {
        // ON CONFLICT DO NOTHING without a target covers both unique indexes (submission_id, attempt_id),
        // between rows of this batch too; concurrent identical submits wait for the first to commit.
        // Ownership and (live) the deadline are checked here, against the database's attempt row.
        // The row's two arrays are the record of the submitted answers (the view attempt_answers reads them):
        // one row per submission, where copying the answers into `answers` wrote 100 rows, each with
        // three index entries and three foreign-key checks, and took 94 % of the batch's time.
        await using var command = new NpgsqlCommand(grace is null ? ReplayInsert : LiveInsert, connection, transaction);
        if (grace is { } g)
        {
            command.Parameters.Add(new NpgsqlParameter("grace", NpgsqlDbType.Interval) { Value = g });
        }
        command.Parameters.Add(Array("sids", NpgsqlDbType.Uuid, batch.Select(s => s.SubmissionId)));
        command.Parameters.Add(Array("aids", NpgsqlDbType.Bigint, batch.Select(s => s.AttemptId)));
        command.Parameters.Add(Array("tids", NpgsqlDbType.Integer, batch.Select(s => s.TeacherId)));
        command.Parameters.Add(Array("rids", NpgsqlDbType.Uuid, batch.Select(s => s.ReceiptId)));
        // Every submission's answers in two flat arrays; submission i's are at [los[i], his[i]] (1-based, inclusive).
        var (qids, oids, los, his) = Flatten(batch);
        command.Parameters.Add(new NpgsqlParameter("qids", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = qids });
        command.Parameters.Add(new NpgsqlParameter("oids", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = oids });
        command.Parameters.Add(new NpgsqlParameter("los", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = los });
        command.Parameters.Add(new NpgsqlParameter("his", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = his });
        command.Parameters.Add(Array("accepted", NpgsqlDbType.TimestampTz, batch.Select(s => s.AcceptedAt)));
        var inserted = new Dictionary<Guid, Guid>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            inserted[reader.GetGuid(0)] = reader.GetGuid(1);
        }
        return inserted;
    }

    private sealed record Existing(Guid SubmissionId, long AttemptId, Guid ReceiptId);

    private static async Task<List<Existing>> ExistingAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<AcceptedSubmission> others, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT submission_id, attempt_id, receipt_id FROM submissions WHERE submission_id = ANY(@sids) OR attempt_id = ANY(@aids)",
            connection,
            transaction);
        command.Parameters.Add(Array("sids", NpgsqlDbType.Uuid, others.Select(s => s.SubmissionId)));
        command.Parameters.Add(Array("aids", NpgsqlDbType.Bigint, others.Select(s => s.AttemptId)));
        var existing = new List<Existing>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            existing.Add(new Existing(reader.GetGuid(0), reader.GetInt64(1), reader.GetGuid(2)));
        }
        return existing;
    }

    /// <summary>Of the given submissions, those whose attempt is the teacher's: refused for lateness alone.</summary>
    private static async Task<HashSet<(long AttemptId, int TeacherId)>> LateAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<AcceptedSubmission> refused, CancellationToken cancellationToken)
    {
        var late = new HashSet<(long, int)>();
        if (refused.Count == 0)
        {
            return late;
        }
        await using var command = new NpgsqlCommand("SELECT id, teacher_id FROM attempts WHERE id = ANY(@aids)", connection, transaction);
        command.Parameters.Add(Array("aids", NpgsqlDbType.Bigint, refused.Select(s => s.AttemptId)));
        var owners = new HashSet<(long, int)>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                owners.Add((reader.GetInt64(0), reader.GetInt32(1)));
            }
        }
        foreach (var s in refused.Where(s => owners.Contains((s.AttemptId, s.TeacherId))))
        {
            late.Add((s.AttemptId, s.TeacherId));
        }
        return late;
    }

    private static (int[] QuestionIds, int[] OptionIds, int[] Los, int[] His) Flatten(IReadOnlyList<AcceptedSubmission> batch)
    {
        var total = 0;
        foreach (var s in batch)
        {
            total += s.QuestionIds.Length;
        }
        var questionIds = new int[total];
        var optionIds = new int[total];
        var los = new int[batch.Count];
        var his = new int[batch.Count];
        var at = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            var s = batch[i];
            if (s.OptionIds.Length != s.QuestionIds.Length)
            {
                throw new ArgumentException($"Submission {s.SubmissionId} has {s.QuestionIds.Length} questions but {s.OptionIds.Length} options.", nameof(batch));
            }
            s.QuestionIds.CopyTo(questionIds, at);
            s.OptionIds.CopyTo(optionIds, at);
            // An empty range (lo = hi + 1) slices to an empty array.
            los[i] = at + 1;
            at += s.QuestionIds.Length;
            his[i] = at;
        }
        return (questionIds, optionIds, los, his);
    }

    private static NpgsqlParameter Array<T>(string name, NpgsqlDbType type, IEnumerable<T> values) =>
        new(name, NpgsqlDbType.Array | type) { Value = values.ToArray() };
}
