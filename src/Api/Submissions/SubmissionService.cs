using System.Text.Json;
using ExamConsole.Data;
using Npgsql;
using NpgsqlTypes;

namespace ExamConsole.Api.Submissions;

/// <summary>What a submit came to.</summary>
public enum SubmitOutcome
{
    /// <summary>Committed now, or an earlier submit with the same submissionId was.</summary>
    Recorded,

    /// <summary>The attempt was already submitted with another submissionId.</summary>
    Conflict,
}

public sealed record SubmitResult(SubmitOutcome Outcome, Guid? ReceiptId);

/// <summary>
/// Records a submission: the final answers and the submission row in one transaction, idempotent on
/// submissionId (a unique index decides between concurrent identical submits, never the application).
/// </summary>
public sealed class SubmissionService(ExamDb db)
{
    public async Task<SubmitResult> SubmitAsync(
        long attemptId,
        Guid submissionId,
        IReadOnlyCollection<(int QuestionId, int OptionId)> answers,
        DateTimeOffset acceptedAt,
        CancellationToken cancellationToken)
    {
        var receiptId = Guid.CreateVersion7(acceptedAt);
        var answersJson = JsonSerializer.Serialize(answers.Select(a => new { questionId = a.QuestionId, optionId = a.OptionId }));

        await using var lease = await db.LeaseAsync(cancellationToken);
        var connection = lease.Connection;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // ON CONFLICT DO NOTHING without a target covers both unique indexes (submission_id and attempt_id):
        // a concurrent identical submit waits for the first to commit, then inserts nothing.
        await using (var insert = new NpgsqlCommand(
            """
            INSERT INTO submissions (submission_id, attempt_id, receipt_id, answers, accepted_at, recorded_at)
            VALUES (@submission, @attempt, @receipt, @answers, @accepted, now())
            ON CONFLICT DO NOTHING
            """,
            connection,
            transaction))
        {
            insert.Parameters.AddWithValue("submission", submissionId);
            insert.Parameters.AddWithValue("attempt", attemptId);
            insert.Parameters.AddWithValue("receipt", receiptId);
            insert.Parameters.Add(new NpgsqlParameter("answers", NpgsqlDbType.Jsonb) { Value = answersJson });
            insert.Parameters.AddWithValue("accepted", acceptedAt);
            if (await insert.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                await transaction.RollbackAsync(cancellationToken);
                return await ExistingAsync(connection, attemptId, submissionId, cancellationToken);
            }
        }

        if (answers.Count > 0)
        {
            await using var upsert = new NpgsqlCommand(
                """
                INSERT INTO answers (attempt_id, question_id, option_id, answered_at)
                SELECT @attempt, q, o, @now FROM unnest(@questions, @options) AS t(q, o)
                ON CONFLICT (attempt_id, question_id) DO UPDATE SET option_id = excluded.option_id, answered_at = excluded.answered_at
                """,
                connection,
                transaction);
            AttemptStore.AddAnswerParameters(upsert, attemptId, answers, acceptedAt);
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return new SubmitResult(SubmitOutcome.Recorded, receiptId);
    }

    private static async Task<SubmitResult> ExistingAsync(NpgsqlConnection connection, long attemptId, Guid submissionId, CancellationToken cancellationToken)
    {
        var existing = await AttemptStore.FindAsync(connection, attemptId, cancellationToken);
        if (existing?.SubmissionId == submissionId)
        {
            return new SubmitResult(SubmitOutcome.Recorded, existing.ReceiptId);
        }
        // Either the attempt holds another submissionId, or this submissionId was used on another attempt.
        return new SubmitResult(SubmitOutcome.Conflict, null);
    }
}
