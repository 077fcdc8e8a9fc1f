using System.Diagnostics;
using System.Globalization;
using ExamConsole.Api;
using ExamConsole.Api.Submissions;
using ExamConsole.Console.Hosting;
using ExamConsole.Data;
using ExamConsole.Data.Stores;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace ExamConsole.Benchmarks;

/// <summary>
/// Submissions per second and latency of the submit path (SubmissionBatcher into PostgreSQL, no
/// HTTP) with group commit on and then off, under the same closed-loop load: C callers, each
/// submitting one attempt after another for D seconds. PostgreSQL runs with fsync on, as in
/// production: amortizing the commit's flush is what group commit is for.
///   dotnet run -c Release --project bench/Benchmarks -- group-commit [callers=64] [seconds=15]
/// </summary>
public static class GroupCommitLoad
{
    public static async Task<int> RunAsync(string[] args)
    {
        var callers = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 64;
        var seconds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 15;
        var root = FindRoot();
        var postgres = await LocalPostgres.StartAsync(new LocalPostgresOptions
        {
            DataDirectory = Path.Combine(root, ".data", "bench", "gc-" + Guid.NewGuid().ToString("N")[..8]),
            Port = 0,
            Settings = { ["max_connections"] = "300", ["shared_buffers"] = "256MB" },
        });
        try
        {
            System.Console.WriteLine($"machine: {Environment.ProcessorCount} cores; callers {callers}; {seconds} s per run; fsync on");
            foreach (var groupCommit in new[] { true, false })
            {
                await RunOnceAsync(postgres, groupCommit, callers, TimeSpan.FromSeconds(seconds));
            }
        }
        finally
        {
            await postgres.DestroyAsync();
        }
        return 0;
    }

    private static async Task RunOnceAsync(LocalPostgres postgres, bool groupCommit, int callers, TimeSpan duration)
    {
        var database = "gc_" + (groupCommit ? "on" : "off");
        await using (var admin = new NpgsqlConnection(postgres.ConnectionStringFor("postgres")))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", admin);
            await create.ExecuteNonQueryAsync();
        }
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Exam"] = postgres.ConnectionStringFor(database),
            ["Pool:MaxSize"] = (callers + 8).ToString(CultureInfo.InvariantCulture),
            ["Pool:MinSize"] = "0",
            ["Seed:Teachers"] = "20000",
            ["Seed:Exams"] = "1",
            ["Seed:QuestionsPerExam"] = "20",
            ["Submit:GroupCommit"] = groupCommit ? "true" : "false",
            ["Spool:Directory"] = Path.Combine(Path.GetTempPath(), "gc-spool-" + Guid.NewGuid().ToString("N")),
            ["Auth:SigningKey"] = "group-commit-load-signing-key-32-bytes!",
        });
        builder.AddExamData();
        builder.AddExamApi();
        using var host = builder.Build();
        await host.Services.GetRequiredService<DatabaseInitializer>().InitializeAsync();
        await using (var lease = await host.Services.GetRequiredService<ExamDb>().LeaseAsync(CancellationToken.None))
        {
            await using var attempts = new NpgsqlCommand(
                "INSERT INTO attempts (teacher_id, exam_id, started_at, deadline) SELECT id, 1, now(), now() + interval '2 hours' FROM teachers", lease.Connection);
            await attempts.ExecuteNonQueryAsync();
        }
        var attemptIds = new Queue<(long Attempt, int Teacher)>();
        await using (var lease = await host.Services.GetRequiredService<ExamDb>().LeaseAsync(CancellationToken.None))
        {
            await using var read = new NpgsqlCommand("SELECT id, teacher_id FROM attempts ORDER BY id", lease.Connection);
            await using var reader = await read.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                attemptIds.Enqueue((reader.GetInt64(0), reader.GetInt32(1)));
            }
        }
        var questions = new[] { 1, 2, 3 };
        var options = new[] { 1, 5, 9 };
        var batcher = host.Services.GetRequiredService<SubmissionBatcher>();
        var latencies = new List<double>[callers];
        var stop = Stopwatch.StartNew();
        var gate = new Lock();
        var workers = Enumerable.Range(0, callers).Select(c => Task.Run(async () =>
        {
            var mine = latencies[c] = [];
            while (stop.Elapsed < duration)
            {
                (long Attempt, int Teacher) next;
                lock (gate)
                {
                    if (!attemptIds.TryDequeue(out next))
                    {
                        return;
                    }
                }
                var started = Stopwatch.GetTimestamp();
                var result = await batcher.SubmitAsync(
                    new AcceptedSubmission(Guid.NewGuid(), next.Attempt, next.Teacher, Guid.CreateVersion7(), DateTimeOffset.UtcNow, questions, options),
                    CancellationToken.None);
                if (result.Outcome != WriteOutcome.Recorded)
                {
                    throw new InvalidOperationException($"Submission of attempt {next.Attempt} was {result.Outcome}.");
                }
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        })).ToArray();
        await Task.WhenAll(workers);
        var elapsed = stop.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        double At(double q) => all[Math.Clamp((int)Math.Ceiling(q * all.Length) - 1, 0, all.Length - 1)];
        System.Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"group commit {(groupCommit ? "on " : "off")}: {all.Length} submissions in {elapsed:F1} s = {all.Length / elapsed:F0}/s; latency ms p50 {At(0.50):F2} p95 {At(0.95):F2} p99 {At(0.99):F2} max {all[^1]:F2}; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
        await host.StopAsync();
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ExamConsole.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("ExamConsole.sln not found.");
    }
}
