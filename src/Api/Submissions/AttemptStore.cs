using ExamConsole.Api.Resilience;
using ExamConsole.Data;
using Npgsql;
using NpgsqlTypes;

namespace ExamConsole.Api.Submissions;

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
/// connection of the pool's current generation (through <see cref="ExamDb"/>).
/// </summary>
public sealed class AttemptStore(ExamDb db, DatabaseResilience resilience, AttemptCache cache)
{
    /// <summary>Starts the teacher's attempt at an exam, or returns the one already started (Created = false).</summary>
    public async Task<(AttemptRow Attempt, bool Created)> StartAsync(int teacherId, int examId, DateTimeOffset now, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var result = await resilience.Idempotent.ExecuteAsync(
            static async (state, ct) => await state.Store.StartOnceAsync(state.teacherId, state.examId, state.now, state.deadline, ct),
            (Store: this, teacherId, examId, now, deadline),
            cancellationToken);
        cache.Remember(result.Attempt);
        return result;
    }

    private async Task<(AttemptRow Attempt, bool Created)> StartOnceAsync(int teacherId, int examId, DateTimeOffset now, DateTimeOffset deadline, CancellationToken cancellationToken)
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

    public async Task<AttemptRow?> FindAsync(long attemptId, CancellationToken cancellationToken)
    {
        var attempt = await resilience.Idempotent.ExecuteAsync(
            static async (state, ct) =>
            {
                await using var lease = await state.db.LeaseAsync(ct);
                return await FindAsync(lease.Connection, state.attemptId, ct);
            },
            (db, attemptId),
            cancellationToken);
        if (attempt is not null)
        {
            cache.Remember(attempt);
        }
        return attempt;
    }

    public static async Task<AttemptRow?> FindAsync(NpgsqlConnection connection, long attemptId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT a.id, a.teacher_id, a.exam_id, a.started_at, a.deadline, s.submission_id, s.receipt_id
            FROM attempts a LEFT JOIN submissions s ON s.attempt_id = a.id
            WHERE a.id = @id
            """,
            connection);
        command.Parameters.AddWithValue("id", attemptId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadAttempt(reader) : null;
    }

    /// <summary>The attempt with the number of questions answered so far.</summary>
    public Task<(AttemptRow Attempt, int AnsweredCount)?> GetStatusAsync(long attemptId, CancellationToken cancellationToken) =>
        resilience.Idempotent.ExecuteAsync(
            static async (state, ct) => await state.Store.GetStatusOnceAsync(state.attemptId, ct),
            (Store: this, attemptId),
            cancellationToken).AsTask();

    private async Task<(AttemptRow Attempt, int AnsweredCount)?> GetStatusOnceAsync(long attemptId, CancellationToken cancellationToken)
    {
        await using var lease = await db.LeaseAsync(cancellationToken);
        var connection = lease.Connection;
        await using var command = new NpgsqlCommand(
            """
            SELECT a.id, a.teacher_id, a.exam_id, a.started_at, a.deadline, s.submission_id, s.receipt_id,
                   (SELECT count(*) FROM answers x WHERE x.attempt_id = a.id)::int
            FROM attempts a LEFT JOIN submissions s ON s.attempt_id = a.id
            WHERE a.id = @id
            """,
            connection);
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
    /// <paramref name="answers"/> holds each question once.
    /// </summary>
    public Task<bool> SaveAnswersAsync(long attemptId, IReadOnlyCollection<(int QuestionId, int OptionId)> answers, DateTimeOffset now, CancellationToken cancellationToken) =>
        // An upsert of the same values: safe to repeat.
        resilience.Idempotent.ExecuteAsync(
            static async (state, ct) => await state.Store.SaveAnswersOnceAsync(state.attemptId, state.answers, state.now, ct),
            (Store: this, attemptId, answers, now),
            cancellationToken).AsTask();

    private async Task<bool> SaveAnswersOnceAsync(long attemptId, IReadOnlyCollection<(int QuestionId, int OptionId)> answers, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var lease = await db.LeaseAsync(cancellationToken);
        var connection = lease.Connection;
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO answers (attempt_id, question_id, option_id, answered_at)
            SELECT @attempt, q, o, @now FROM unnest(@questions, @options) AS t(q, o)
            WHERE NOT EXISTS (SELECT 1 FROM submissions WHERE attempt_id = @attempt)
            ON CONFLICT (attempt_id, question_id) DO UPDATE SET option_id = excluded.option_id, answered_at = excluded.answered_at
            """,
            connection);
        AddAnswerParameters(command, attemptId, answers, now);
        var rows = await command.ExecuteNonQueryAsync(cancellationToken);
        return rows > 0;
    }

    public static void AddAnswerParameters(NpgsqlCommand command, long attemptId, IReadOnlyCollection<(int QuestionId, int OptionId)> answers, DateTimeOffset now)
    {
        command.Parameters.AddWithValue("attempt", attemptId);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.Add(new NpgsqlParameter<int[]>("questions", NpgsqlDbType.Array | NpgsqlDbType.Integer) { TypedValue = answers.Select(a => a.QuestionId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<int[]>("options", NpgsqlDbType.Array | NpgsqlDbType.Integer) { TypedValue = answers.Select(a => a.OptionId).ToArray() });
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
