using Npgsql;

namespace ExamConsole.Data.Stores;

/// <summary>What a teacher's login needs: the id, the password hash and the exams assigned.</summary>
public sealed record TeacherLogin(int Id, string PasswordHash, int[] ExamIds);

/// <summary>The login query: one indexed read per login, on a connection of the pool's current generation.</summary>
public sealed class TeacherStore(ExamDb db)
{
    /// <summary>The teacher with this code (already trimmed and upper-cased), or null.</summary>
    public async Task<TeacherLogin?> FindLoginAsync(string code, CancellationToken cancellationToken)
    {
        await using var lease = await db.LeaseAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            SELECT t.id, t.password_hash,
                   array(SELECT a.exam_id FROM exam_assignments a WHERE a.teacher_id = t.id ORDER BY a.exam_id)
            FROM teachers t WHERE t.code = @code
            """,
            lease.Connection);
        command.Parameters.AddWithValue("code", code);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        return new TeacherLogin(reader.GetInt32(0), reader.GetString(1), reader.GetFieldValue<int[]>(2));
    }
}
