using Npgsql;
using NpgsqlTypes;

namespace ExamConsole.Data.Stores;

/// <summary>An attempt as the teacher endpoints need it: who owns it, its deadline and its submission if any.</summary>
public sealed record AttemptRow(
    long AttemptId,
    int TeacherId,
    int ExamId,
    DateTimeOffset StartedAt,
    DateTimeOffset Deadline,
    Guid? SubmissionId,
    Guid? ReceiptId);

/// <summary>
/// The attempt and answer SQL of the hot paths: one round trip each, as plain Npgsql commands on a
/// connection of the pool's current generation (through <see cref="ExamDb"/>). Each call is one
/// try; the caller decides about retries and the circuit.
/// </summary>
public sealed class AttemptStore(ExamDb db)
{
    /// <summary>Starts the teacher's attempt at an exam, or returns the one already started (Created = false).</summary>
    public async Task<(AttemptRow Attempt, bool Created)> StartAsync(int teacherId, int examId, DateTimeOffset now, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        await using var lease = await db.LeaseAsync(cancellationToken);
        var connection = lease.Connection;
        // The CTE inserts unless the (teacher, exam) pair exists; the UNION reads the existing row otherwise, in one trip.
        await using var command = new NpgsqlCommand(
            """
            WITH inserted AS (
                INSERT INTO attempts (teacher_id, exam_id, started_at, deadline)
                VALUES (@teacher, @exam, @now, @deadline)
                ON CONFLICT (teacher_id, exam_id) DO NOTHING
                RETURNING id, started_at, deadline, true AS created)
            SELECT id, started_at, deadline, created FROM inserted
            UNION ALL
            SELECT id, started_at, deadline, false FROM attempts WHERE teacher_id = @teacher AND exam_id = @exam
            LIMIT 1
            """,
            connection);
        command.Parameters.AddWithValue("teacher", teacherId);
        command.Parameters.AddWithValue("exam", examId);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("deadline", deadline);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            // A concurrent insert of the same pair committed between our snapshot and the conflict check: read again.
            await reader.DisposeAsync();
            return (await GetByOwnerAsync(connection, teacherId, examId, cancellationToken), false);
        }
        var row = new AttemptRow(reader.GetInt64(0), teacherId, examId, reader.GetFieldValue<DateTimeOffset>(1), reader.GetFieldValue<DateTimeOffset>(2), null, null);
        return (row, reader.GetBoolean(3));
    }

    private static async Task<AttemptRow> GetByOwnerAsync(NpgsqlConnection connection, int teacherId, int examId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT id, started_at, deadline FROM attempts WHERE teacher_id = @teacher AND exam_id = @exam", connection);
        command.Parameters.AddWithValue("teacher", teacherId);
        command.Parameters.AddWithValue("exam", examId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw new InvalidOperationException($"Attempt of teacher {teacherId} at exam {examId} vanished after a conflicting insert.");
        }
        return new AttemptRow(reader.GetInt64(0), teacherId, examId, reader.GetFieldValue<DateTimeOffset>(1), reader.GetFieldValue<DateTimeOffset>(2), null, null);
    }

    /// <summary>The attempt with its submission, if any; null when there is no such attempt.</summary>
    public async Task<AttemptRow?> FindAsync(long attemptId, CancellationToken cancellationToken)
    {
        await using var lease = await db.LeaseAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            SELECT a.id, a.teacher_id, a.exam_id, a.started_at, a.deadline, s.submission_id, s.receipt_id
            FROM attempts a LEFT JOIN submissions s ON s.attempt_id = a.id
            WHERE a.id = @id
            """,
            lease.Connection);
        command.Parameters.AddWithValue("id", attemptId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadAttempt(reader) : null;
    }

    /// <summary>The attempt with the number of questions answered so far.</summary>
    public async Task<(AttemptRow Attempt, int AnsweredCount)?> GetStatusAsync(long attemptId, CancellationToken cancellationToken)
    {
        await using var lease = await db.LeaseAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            SELECT a.id, a.teacher_id, a.exam_id, a.started_at, a.deadline, s.submission_id, s.receipt_id,
                   (SELECT count(*) FROM answers x WHERE x.attempt_id = a.id)::int
            FROM attempts a LEFT JOIN submissions s ON s.attempt_id = a.id
            WHERE a.id = @id
            """,
            lease.Connection);
        command.Parameters.AddWithValue("id", attemptId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        return (ReadAttempt(reader), reader.GetInt32(7));
    }

    /// <summary>
    /// Upserts answers (last write wins), unless the attempt was submitted meanwhile: returns false then.
    /// <paramref name="answers"/> holds each question once. An upsert of the same values: safe to repeat.
    /// </summary>
    public async Task<bool> SaveAnswersAsync(long attemptId, IReadOnlyCollection<(int QuestionId, int OptionId)> answers, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var lease = await db.LeaseAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO answers (attempt_id, question_id, option_id, answered_at)
            SELECT @attempt, q, o, @now FROM unnest(@questions, @options) AS t(q, o)
            WHERE NOT EXISTS (SELECT 1 FROM submissions WHERE attempt_id = @attempt)
            ON CONFLICT (attempt_id, question_id) DO UPDATE SET option_id = excluded.option_id, answered_at = excluded.answered_at
            """,
            lease.Connection);
        command.Parameters.AddWithValue("attempt", attemptId);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.Add(new NpgsqlParameter<int[]>("questions", NpgsqlDbType.Array | NpgsqlDbType.Integer) { TypedValue = answers.Select(a => a.QuestionId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<int[]>("options", NpgsqlDbType.Array | NpgsqlDbType.Integer) { TypedValue = answers.Select(a => a.OptionId).ToArray() });
        var rows = await command.ExecuteNonQueryAsync(cancellationToken);
        return rows > 0;
    }

    private static AttemptRow ReadAttempt(NpgsqlDataReader reader) => new(
        reader.GetInt64(0),
        reader.GetInt32(1),
        reader.GetInt32(2),
        reader.GetFieldValue<DateTimeOffset>(3),
        reader.GetFieldValue<DateTimeOffset>(4),
        reader.IsDBNull(5) ? null : reader.GetGuid(5),
        reader.IsDBNull(6) ? null : reader.GetGuid(6));
}
