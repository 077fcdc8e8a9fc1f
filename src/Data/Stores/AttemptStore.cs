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

/// <summary>What an answer save did: saved, or why not (checked against the database's attempt row).</summary>
public enum SaveOutcome
{
    Saved,

    /// <summary>No such attempt.</summary>
    NotFound,

    /// <summary>The attempt is another teacher's.</summary>
    NotYours,

    /// <summary>The attempt was submitted: its answers no longer change.</summary>
    Submitted,

    /// <summary>Past the attempt's deadline plus grace, by the deadline in the database.</summary>
    Late,
}

public sealed record SaveResult(SaveOutcome Outcome, DateTimeOffset? Deadline);

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

    /// <summary>
    /// The attempt with the number of questions answered so far: its record in the view
    /// attempt_answers (a submitted attempt's submission over the answers saved before it).
    /// </summary>
    public async Task<(AttemptRow Attempt, int AnsweredCount)?> GetStatusAsync(long attemptId, CancellationToken cancellationToken)
    {
        await using var lease = await db.LeaseAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            SELECT a.id, a.teacher_id, a.exam_id, a.started_at, a.deadline, s.submission_id, s.receipt_id,
                   (SELECT count(*) FROM attempt_answers x WHERE x.attempt_id = a.id)::int
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
    /// Upserts answers (last write wins) in one round trip, checking against the database's attempt
    /// row that it is the teacher's, not submitted and not past its deadline plus
    /// <paramref name="grace"/>. <paramref name="answers"/> holds each question once, checked
    /// against the paper by the caller. An upsert of the same values: safe to repeat.
    /// </summary>
    public async Task<SaveResult> SaveAnswersAsync(long attemptId, int teacherId, IReadOnlyCollection<(int QuestionId, int OptionId)> answers, DateTimeOffset now, TimeSpan grace, CancellationToken cancellationToken)
    {
        await using var lease = await db.LeaseAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            WITH a AS (
                SELECT a.id, a.teacher_id, a.deadline, EXISTS (SELECT 1 FROM submissions s WHERE s.attempt_id = a.id) AS submitted
                FROM attempts a WHERE a.id = @attempt),
            saved AS (
                INSERT INTO answers (attempt_id, question_id, option_id, answered_at)
                SELECT a.id, t.q, t.o, @now FROM a, unnest(@questions, @options) AS t(q, o)
                WHERE a.teacher_id = @teacher AND NOT a.submitted AND @now <= a.deadline + @grace
                ON CONFLICT (attempt_id, question_id) DO UPDATE SET option_id = excluded.option_id, answered_at = excluded.answered_at
                RETURNING 1)
            SELECT a.teacher_id, a.deadline, a.submitted, (SELECT count(*) FROM saved) FROM a
            """,
            lease.Connection);
        command.Parameters.AddWithValue("attempt", attemptId);
        command.Parameters.AddWithValue("teacher", teacherId);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("grace", grace);
        command.Parameters.Add(new NpgsqlParameter<int[]>("questions", NpgsqlDbType.Array | NpgsqlDbType.Integer) { TypedValue = answers.Select(a => a.QuestionId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<int[]>("options", NpgsqlDbType.Array | NpgsqlDbType.Integer) { TypedValue = answers.Select(a => a.OptionId).ToArray() });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return new SaveResult(SaveOutcome.NotFound, null);
        }
        var deadline = reader.GetFieldValue<DateTimeOffset>(1);
        var outcome = reader.GetInt32(0) != teacherId ? SaveOutcome.NotYours
            : reader.GetBoolean(2) ? SaveOutcome.Submitted
            : reader.GetInt64(3) > 0 ? SaveOutcome.Saved
            : SaveOutcome.Late;
        return new SaveResult(outcome, deadline);
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
