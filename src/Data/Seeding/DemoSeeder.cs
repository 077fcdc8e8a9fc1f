using System.Diagnostics;
using System.Globalization;
using ExamConsole.Data.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace ExamConsole.Data.Seeding;

/// <summary>
/// Makes the demo data of docs/API.md: teachers T0000001.. with password pass-0000001.., exams of
/// four-option questions, every teacher assigned to every exam, exams open now. Teachers and
/// assignments go in by binary COPY.
/// </summary>
public sealed partial class DemoSeeder(ExamDb db, IOptions<SeedOptions> options, TimeProvider time, ILogger<DemoSeeder> logger)
{
    private const int ProgressEvery = 10_000;

    public static string TeacherCode(int n) => "T" + n.ToString("D7", CultureInfo.InvariantCulture);

    public static string TeacherPassword(int n) => "pass-" + n.ToString("D7", CultureInfo.InvariantCulture);

    /// <summary>Seeds when no teacher exists yet; returns whether it did.</summary>
    public async Task<bool> SeedIfEmptyAsync(CancellationToken cancellationToken = default)
    {
        await using (var lease = await db.LeaseAsync(cancellationToken))
        {
            if (await lease.Context.Teachers.AnyAsync(cancellationToken))
            {
                return false;
            }
        }
        await SeedAsync(cancellationToken);
        return true;
    }

    public async Task SeedAsync(CancellationToken cancellationToken = default)
    {
        var o = options.Value;
        var total = Stopwatch.StartNew();
        LogSeeding(o.Teachers, o.Exams, o.QuestionsPerExam);

        var examIds = await SeedExamsAsync(o, cancellationToken);
        var teachers = await SeedTeachersAsync(o, cancellationToken);
        await SeedAssignmentsAsync(teachers, examIds, cancellationToken);

        LogSeeded(o.Teachers, teachers * examIds.Count, total.Elapsed.TotalSeconds);
    }

    private async Task<List<int>> SeedExamsAsync(SeedOptions o, CancellationToken cancellationToken)
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
        await using (var lease = await db.LeaseAsync(cancellationToken))
        {
            lease.Context.Exams.AddRange(exams);
            await lease.Context.SaveChangesAsync(cancellationToken);
        }
        LogExams(exams.Count, exams.Sum(e => e.Questions.Count));
        return exams.Select(e => e.Id).ToList();
    }

    private async Task<int> SeedTeachersAsync(SeedOptions o, CancellationToken cancellationToken)
    {
        var hasher = new PasswordHasher<Teacher>(Options.Create(new PasswordHasherOptions { IterationCount = o.PasswordIterations }));
        var hashes = new string[o.Teachers];
        var hashing = Stopwatch.StartNew();
        var done = 0;
        // Hashing is the expensive part (CPU bound); use every core.
        await Parallel.ForAsync(0, o.Teachers, cancellationToken, (i, _) =>
        {
            hashes[i] = hasher.HashPassword(null!, TeacherPassword(i + 1));
            var n = Interlocked.Increment(ref done);
            if (n % ProgressEvery == 0)
            {
                LogProgress("hashed", n, o.Teachers, hashing.Elapsed.TotalSeconds);
            }
            return ValueTask.CompletedTask;
        });

        await using var lease = await db.LeaseAsync(cancellationToken);
        var connection = lease.Connection;
        var copying = Stopwatch.StartNew();
        await using (var writer = await connection.BeginBinaryImportAsync("COPY teachers (code, password_hash) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            for (var i = 0; i < o.Teachers; i++)
            {
                await writer.StartRowAsync(cancellationToken);
                await writer.WriteAsync(TeacherCode(i + 1), NpgsqlDbType.Varchar, cancellationToken);
                await writer.WriteAsync(hashes[i], NpgsqlDbType.Varchar, cancellationToken);
                if ((i + 1) % ProgressEvery == 0)
                {
                    LogProgress("copied", i + 1, o.Teachers, copying.Elapsed.TotalSeconds);
                }
            }
            await writer.CompleteAsync(cancellationToken);
        }
        return o.Teachers;
    }

    private async Task SeedAssignmentsAsync(int teachers, List<int> examIds, CancellationToken cancellationToken)
    {
        await using var lease = await db.LeaseAsync(cancellationToken);
        var connection = lease.Connection;
        var teacherIds = await lease.Context.Teachers.OrderBy(t => t.Id).Select(t => t.Id).ToListAsync(cancellationToken);
        await using var writer = await connection.BeginBinaryImportAsync("COPY exam_assignments (teacher_id, exam_id) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var teacherId in teacherIds)
        {
            foreach (var examId in examIds)
            {
                await writer.StartRowAsync(cancellationToken);
                await writer.WriteAsync(teacherId, NpgsqlDbType.Integer, cancellationToken);
                await writer.WriteAsync(examId, NpgsqlDbType.Integer, cancellationToken);
            }
        }
        await writer.CompleteAsync(cancellationToken);
        LogAssignments(teacherIds.Count * examIds.Count);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Seeding demo data: {Teachers} teachers, {Exams} exams of {Questions} questions")]
    private partial void LogSeeding(int teachers, int exams, int questions);

    [LoggerMessage(Level = LogLevel.Information, Message = "Seeded {Exams} exams with {Questions} questions")]
    private partial void LogExams(int exams, int questions);

    [LoggerMessage(Level = LogLevel.Information, Message = "Teachers {Stage}: {Done}/{Total} ({Seconds:F1} s)")]
    private partial void LogProgress(string stage, int done, int total, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Seeded {Assignments} exam assignments")]
    private partial void LogAssignments(int assignments);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo data ready: {Teachers} teachers, {Assignments} assignments in {Seconds:F1} s")]
    private partial void LogSeeded(int teachers, int assignments, double seconds);
}
