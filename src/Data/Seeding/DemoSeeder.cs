using System.Diagnostics;
using System.Globalization;
using ExamConsole.Data.Entities;
using ExamConsole.Data.Maintenance;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace ExamConsole.Data.Seeding;

/// <summary>
/// Makes the demo data of docs/API.md: teachers T0000001.. with password pass-0000001.., exams of
/// four-option questions, every teacher assigned to every exam, exams open now.
/// </summary>
/// <remarks>
/// All or nothing: the exams, the teachers, their assignments and the completion marker
/// (<see cref="DemoDataSet"/>) are written in one transaction on a maintenance connection, so a crash,
/// SIGKILL or Ctrl+C at any moment leaves either the whole data set or none of it. A database without
/// the marker that holds some of the data (as versions before the marker left it when seeding died)
/// is completed, and the log says what was found and what was added. Nodes starting together take
/// an advisory lock: one seeds, the others find the marker afterwards.
/// </remarks>
public sealed partial class DemoSeeder(MaintenanceDatabase maintenance, IOptions<SeedOptions> options, TimeProvider time, ILogger<DemoSeeder> logger)
{
    /// <summary>pg_advisory_lock key of the seed ("ExamSeed" in ASCII).</summary>
    private const long SeedLockKey = 0x4578616D53656564;

    private const int ProgressEvery = 10_000;

    public static string TeacherCode(int n) => "T" + n.ToString("D7", CultureInfo.InvariantCulture);

    public static string TeacherPassword(int n) => "pass-" + n.ToString("D7", CultureInfo.InvariantCulture);

    /// <summary>
    /// Makes the demo data complete: seeds it when absent, completes it when partial, and when its
    /// completion marker is there only opens the exams again if every one of them has closed.
    /// Returns whether it wrote anything.
    /// </summary>
    public async Task<bool> EnsureAsync(CancellationToken cancellationToken = default)
    {
        var total = Stopwatch.StartNew();
        await using var connection = await maintenance.OpenAsync(cancellationToken);
        await using var context = maintenance.CreateContext(connection);
        if (await context.DemoData.AsNoTracking().SingleOrDefaultAsync(cancellationToken) is { } present)
        {
            LogPresent(present.Teachers, present.Exams, present.Assignments, present.How, present.CompletedAt);
            return await ReopenClosedExamsAsync(connection, cancellationToken);
        }

        // Nodes that start together queue here, before the slow part: one hashes and seeds, the others wait
        // and then find the marker. A session lock, so that it is held across the hashing and the
        // transaction; it ends with the connection, also when the process is killed.
        await using (var lockCommand = new NpgsqlCommand($"SELECT pg_advisory_lock({SeedLockKey})", connection))
        {
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }
        if (await context.DemoData.AsNoTracking().AnyAsync(cancellationToken))
        {
            LogSeededElsewhere();
            return false;
        }

        var o = options.Value;
        var found = await CountAsync(connection, cancellationToken);
        // Hashing is the slow part (CPU): done before the transaction, and only when teachers are missing.
        var hashes = found.Teachers == 0 ? HashPasswords(o, cancellationToken) : null;

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await context.Database.UseTransactionAsync(transaction, cancellationToken);
        found = await CountAsync(connection, cancellationToken);
        var partial = found.Teachers + found.Exams + found.Assignments > 0;
        if (partial)
        {
            LogPartial(found.Teachers, found.Exams, found.Assignments);
        }
        else
        {
            LogSeeding(o.Teachers, o.Exams, o.QuestionsPerExam);
        }

        var examsAdded = found.Exams == 0 ? await AddExamsAsync(context, o, cancellationToken) : 0;
        var teachersAdded = 0;
        if (found.Teachers == 0)
        {
            teachersAdded = await CopyTeachersAsync(connection, hashes ?? HashPasswords(o, cancellationToken), cancellationToken);
        }
        var assignmentsAdded = await AssignEveryTeacherToEveryExamAsync(connection, transaction, cancellationToken);

        var complete = await CountAsync(connection, cancellationToken);
        context.DemoData.Add(new DemoDataSet
        {
            Teachers = complete.Teachers,
            Exams = complete.Exams,
            Assignments = complete.Assignments,
            CompletedAt = time.GetUtcNow(),
            How = partial ? "repaired" : "seeded",
        });
        await context.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (partial)
        {
            LogRepaired(examsAdded, teachersAdded, assignmentsAdded, complete.Teachers, complete.Assignments);
        }

        await AnalyzeAsync(connection, cancellationToken);
        LogReady(complete.Teachers, complete.Exams, complete.Assignments, total.Elapsed.TotalSeconds);
        return true;
    }

    /// <summary>
    /// A demo started again on a later day found every exam closed (they open for
    /// <see cref="SeedOptions.OpenFor"/> from seeding): teachers could sign in and list them but open
    /// none. When no exam is open or still to open, all of them open again now, for as long, and the
    /// log says so. One exam open, or one yet to open, leaves them all as they are.
    /// </summary>
    private async Task<bool> ReopenClosedExamsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var command = new NpgsqlCommand(
            """
            UPDATE exams SET opens_at = @now, closes_at = @closes
            WHERE NOT EXISTS (SELECT 1 FROM exams WHERE closes_at > @now)
            RETURNING (SELECT max(closes_at) FROM exams)
            """,
            connection);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("closes", now + options.Value.OpenFor);
        var reopened = 0;
        DateTimeOffset closedAt = default;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                reopened++;
                closedAt = reader.GetFieldValue<DateTimeOffset>(0);
            }
        }
        if (reopened > 0)
        {
            LogReopened(reopened, closedAt, now + options.Value.OpenFor);
        }
        return reopened > 0;
    }

    private static async Task<(int Teachers, int Exams, int Assignments)> CountAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT (SELECT count(*) FROM teachers), (SELECT count(*) FROM exams), (SELECT count(*) FROM exam_assignments)", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return ((int)reader.GetInt64(0), (int)reader.GetInt64(1), (int)reader.GetInt64(2));
    }

    private async Task<int> AddExamsAsync(ExamDbContext context, SeedOptions o, CancellationToken cancellationToken)
    {
        var opensAt = time.GetUtcNow().AddMinutes(-1);
        var subjects = new[] { "Mathematics", "Science", "Language", "Pedagogy", "Child Development", "Social Studies", "Assessment", "Inclusive Education", "ICT in Teaching", "School Leadership" };
        var exams = new List<Exam>();
        for (var e = 1; e <= o.Exams; e++)
        {
            var subject = subjects[(e - 1) % subjects.Length];
            var exam = new Exam
            {
                Title = $"{subject} assessment {e}",
                OpensAt = opensAt,
                ClosesAt = opensAt + o.OpenFor,
                DurationMinutes = o.DurationMinutes,
            };
            for (var q = 1; q <= o.QuestionsPerExam; q++)
            {
                var correct = (e + q) % 4;
                var question = new Question { Number = q, Text = $"{subject}, question {q}: which statement is right?" };
                for (short p = 0; p < 4; p++)
                {
                    question.Options.Add(new QuestionOption { Position = p, Text = $"Statement {(char)('A' + p)} of question {q}", IsCorrect = p == correct });
                }
                exam.Questions.Add(question);
            }
            exams.Add(exam);
        }
        context.Exams.AddRange(exams);
        await context.SaveChangesAsync(cancellationToken);
        LogExams(exams.Count, exams.Sum(e => e.Questions.Count));
        return exams.Count;
    }

    private string[] HashPasswords(SeedOptions o, CancellationToken cancellationToken)
    {
        var hasher = new PasswordHasher<Teacher>(Options.Create(new PasswordHasherOptions { IterationCount = o.PasswordIterations }));
        var hashes = new string[o.Teachers];
        var hashing = Stopwatch.StartNew();
        var done = 0;
        // CPU bound: every core.
        Parallel.For(0, o.Teachers, new ParallelOptions { CancellationToken = cancellationToken }, i =>
        {
            hashes[i] = hasher.HashPassword(null!, TeacherPassword(i + 1));
            var n = Interlocked.Increment(ref done);
            if (n % ProgressEvery == 0)
            {
                LogHashed(n, o.Teachers, hashing.Elapsed.TotalSeconds);
            }
        });
        return hashes;
    }

    private async Task<int> CopyTeachersAsync(NpgsqlConnection connection, string[] hashes, CancellationToken cancellationToken)
    {
        var copying = Stopwatch.StartNew();
        await using (var writer = await connection.BeginBinaryImportAsync("COPY teachers (code, password_hash) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            for (var i = 0; i < hashes.Length; i++)
            {
                await writer.StartRowAsync(cancellationToken);
                await writer.WriteAsync(TeacherCode(i + 1), NpgsqlDbType.Varchar, cancellationToken);
                await writer.WriteAsync(hashes[i], NpgsqlDbType.Varchar, cancellationToken);
            }
            await writer.CompleteAsync(cancellationToken);
        }
        LogTeachersCopied(hashes.Length, copying.Elapsed.TotalSeconds);
        return hashes.Length;
    }

    /// <summary>The demo's rule, in one statement: every teacher sits every exam. Adds only the missing pairs.</summary>
    private async Task<int> AssignEveryTeacherToEveryExamAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var assigning = Stopwatch.StartNew();
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO exam_assignments (teacher_id, exam_id)
            SELECT t.id, e.id FROM teachers t CROSS JOIN exams e
            ORDER BY t.id, e.id
            ON CONFLICT DO NOTHING
            """, connection, transaction);
        var added = await command.ExecuteNonQueryAsync(cancellationToken);
        LogAssigned(added, assigning.Elapsed.TotalSeconds);
        return added;
    }

    /// <summary>Fresh statistics and visibility maps, so the first requests get index-only plans.</summary>
    private async Task AnalyzeAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var analyzing = Stopwatch.StartNew();
        await using var command = new NpgsqlCommand("VACUUM (ANALYZE) teachers, exams, questions, question_options, exam_assignments", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
        LogAnalyzed(analyzing.Elapsed.TotalSeconds);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo data present: {Teachers} teachers, {Exams} exams, {Assignments} assignments ({How} at {CompletedAt:u})")]
    private partial void LogPresent(int teachers, int exams, int assignments, string how, DateTimeOffset completedAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Every demo exam had closed (the last at {ClosedAt:u}): {Exams} exams open again from now until {ClosesAt:u}")]
    private partial void LogReopened(int exams, DateTimeOffset closedAt, DateTimeOffset closesAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo data was completed by another node meanwhile")]
    private partial void LogSeededElsewhere();

    [LoggerMessage(Level = LogLevel.Information, Message = "Seeding demo data: {Teachers} teachers, {Exams} exams of {Questions} questions, in one transaction")]
    private partial void LogSeeding(int teachers, int exams, int questions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Demo data is incomplete (no completion marker): {Teachers} teachers, {Exams} exams, {Assignments} assignments found. Completing it")]
    private partial void LogPartial(int teachers, int exams, int assignments);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Demo data repaired: added {Exams} exams, {Teachers} teachers, {Assignments} assignments; now {TotalTeachers} teachers, {TotalAssignments} assignments")]
    private partial void LogRepaired(int exams, int teachers, int assignments, int totalTeachers, int totalAssignments);

    [LoggerMessage(Level = LogLevel.Information, Message = "Seeded {Exams} exams with {Questions} questions")]
    private partial void LogExams(int exams, int questions);

    [LoggerMessage(Level = LogLevel.Information, Message = "Teachers' passwords hashed: {Done}/{Total} ({Seconds:F1} s)")]
    private partial void LogHashed(int done, int total, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Copied {Teachers} teachers in {Seconds:F1} s")]
    private partial void LogTeachersCopied(int teachers, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Assigned {Assignments} exam assignments in {Seconds:F1} s")]
    private partial void LogAssigned(int assignments, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Vacuumed and analyzed the demo tables in {Seconds:F1} s")]
    private partial void LogAnalyzed(double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo data ready: {Teachers} teachers, {Exams} exams, {Assignments} assignments in {Seconds:F1} s")]
    private partial void LogReady(int teachers, int exams, int assignments, double seconds);
}
