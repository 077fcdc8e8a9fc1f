using System.Globalization;
using ExamConsole.Data.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ExamConsole.Testing;

/// <summary>
/// Makes data that belongs to one test: a teacher no other test uses, an exam with its own window.
/// Codes start at T8000000, above any seeded teacher.
/// </summary>
public sealed class TestData(string connectionString)
{
    private static int _nextTeacher = 8_000_000;
    private static readonly PasswordHasher<Teacher> Hasher = new(Options.Create(new PasswordHasherOptions { IterationCount = 1_000 }));

    public sealed record TestTeacher(int Id, string Code, string Password);

    /// <summary>A new teacher, assigned to <paramref name="examIds"/> (every exam when null).</summary>
    public async Task<TestTeacher> CreateTeacherAsync(IEnumerable<int>? examIds = null)
    {
        var n = Interlocked.Increment(ref _nextTeacher);
        var code = "T" + n.ToString("D7", CultureInfo.InvariantCulture);
        var password = "pw-" + Guid.NewGuid().ToString("N");
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var insert = new NpgsqlCommand("INSERT INTO teachers (code, password_hash) VALUES (@code, @hash) RETURNING id", connection);
        insert.Parameters.AddWithValue("code", code);
        insert.Parameters.AddWithValue("hash", Hasher.HashPassword(null!, password));
        var id = (int)(await insert.ExecuteScalarAsync())!;
        await using var assign = new NpgsqlCommand(
            examIds is null
                ? "INSERT INTO exam_assignments (teacher_id, exam_id) SELECT @id, id FROM exams"
                : "INSERT INTO exam_assignments (teacher_id, exam_id) SELECT @id, unnest(@exams)",
            connection);
        assign.Parameters.AddWithValue("id", id);
        if (examIds is not null)
        {
            assign.Parameters.AddWithValue("exams", examIds.ToArray());
        }
        await assign.ExecuteNonQueryAsync();
        return new TestTeacher(id, code, password);
    }

    /// <summary>A new exam of <paramref name="questions"/> four-option questions (option 0 correct), open in the given window.</summary>
    public async Task<int> CreateExamAsync(DateTimeOffset opensAt, DateTimeOffset closesAt, int durationMinutes = 60, int questions = 5)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var exam = new NpgsqlCommand(
            "INSERT INTO exams (title, opens_at, closes_at, duration_minutes) VALUES (@title, @opens, @closes, @duration) RETURNING id", connection);
        exam.Parameters.AddWithValue("title", $"Test exam {Guid.NewGuid():N}"[..20]);
        exam.Parameters.AddWithValue("opens", opensAt.ToUniversalTime());
        exam.Parameters.AddWithValue("closes", closesAt.ToUniversalTime());
        exam.Parameters.AddWithValue("duration", durationMinutes);
        var examId = (int)(await exam.ExecuteScalarAsync())!;
        await using var questionsCommand = new NpgsqlCommand(
            """
            WITH q AS (
                INSERT INTO questions (exam_id, number, text)
                SELECT @exam, n, 'Question ' || n FROM generate_series(1, @count) AS n
                RETURNING id)
            INSERT INTO question_options (question_id, position, text, is_correct)
            SELECT q.id, p, 'Option ' || p, p = 0 FROM q, generate_series(0, 3) AS p
            """,
            connection);
        questionsCommand.Parameters.AddWithValue("exam", examId);
        questionsCommand.Parameters.AddWithValue("count", questions);
        await questionsCommand.ExecuteNonQueryAsync();
        return examId;
    }

    /// <summary>Runs one SQL statement and returns the first column of the first row.</summary>
    public async Task<T?> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        var result = await command.ExecuteScalarAsync();
        return result is null or DBNull ? default : (T)result;
    }

    public async Task<int> ExecuteAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return await command.ExecuteNonQueryAsync();
    }
}
