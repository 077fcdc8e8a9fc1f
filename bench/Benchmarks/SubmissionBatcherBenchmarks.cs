using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using ExamConsole.Api.Submissions;
using ExamConsole.Data.Stores;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ExamConsole.Benchmarks;

/// <summary>
/// The group-commit batcher (SubmissionBatcher with the shipped Submit settings: batches of up
/// to 64, 1 ms gather, 4 committers) against one transaction per submission (GroupCommit off,
/// the same SQL in batches of one), on a cluster with fsync on: the flush at each commit is what
/// group commit shares out. Each submission has 10 answers and an attempt of its own.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[MinColumn]
[Config(typeof(Config))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class SubmissionBatcherBenchmarks
{
    private const int Burst = 64;

    // Warm-up 3 + 15 iterations of 16 invocations, 64 submissions each, plus the jitting call: under 20,000.
    private const int Attempts = 20_000;

    private BenchHost? _host;
    private SubmissionBatcher? _batcher;
    private AcceptedSubmission[] _requests = [];
    private int _next = -1;

    /// <summary>On: the shipped group commit. Off: every submission its own transaction.</summary>
    [Params(true, false)]
    public bool GroupCommit { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _host = await BenchHost.WithDatabaseAsync(
            new Dictionary<string, string?>
            {
                ["Seed:Teachers"] = "2000",
                ["Seed:Exams"] = "10",
                ["Seed:QuestionsPerExam"] = "10",
                ["Submit:GroupCommit"] = GroupCommit ? "true" : "false",
            },
            throwaway: false);
        _requests = await PrepareAsync(_host.ConnectionString!);
        _batcher = _host.Services.GetRequiredService<SubmissionBatcher>();
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    /// <summary>A lone submission: with group commit it also waits out the 1 ms gather.</summary>
    [Benchmark]
    [BenchmarkCategory("One")]
    public Task<WriteResult> Submit_One() => _batcher!.SubmitAsync(NextRequest(), CancellationToken.None);

    /// <summary>64 submissions at once; the figure is per submission.</summary>
    [Benchmark(OperationsPerInvoke = Burst)]
    [BenchmarkCategory("Burst64")]
    public async Task Submit_Burst64()
    {
        var pending = new Task<WriteResult>[Burst];
        for (var i = 0; i < Burst; i++)
        {
            pending[i] = _batcher!.SubmitAsync(NextRequest(), CancellationToken.None);
        }
        foreach (var result in await Task.WhenAll(pending))
        {
            if (result.Outcome != WriteOutcome.Recorded)
            {
                throw new InvalidOperationException($"A submission was not recorded ({result.Outcome}): the benchmark would measure another path.");
            }
        }
    }

    private AcceptedSubmission NextRequest()
    {
        var i = Interlocked.Increment(ref _next);
        return i < _requests.Length ? _requests[i] : throw new InvalidOperationException($"All {Attempts} prepared attempts are used: raise Attempts or lower the invocation count.");
    }

    /// <summary>One attempt per (teacher, exam) of the demo data, and a submission for each with an answer to every question.</summary>
    private static async Task<AcceptedSubmission[]> PrepareAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var questions = new Dictionary<int, List<(int Question, int Option)>>();
        await using (var read = new NpgsqlCommand("SELECT q.exam_id, q.id, min(o.id) FROM questions q JOIN question_options o ON o.question_id = q.id GROUP BY q.exam_id, q.id", connection))
        await using (var reader = await read.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                var exam = reader.GetInt32(0);
                if (!questions.TryGetValue(exam, out var list))
                {
                    questions[exam] = list = [];
                }
                list.Add((reader.GetInt32(1), reader.GetInt32(2)));
            }
        }
        var requests = new List<AcceptedSubmission>(Attempts);
        var now = DateTimeOffset.UtcNow;
        await using (var insert = new NpgsqlCommand(
            """
            INSERT INTO attempts (teacher_id, exam_id, started_at, deadline)
            SELECT teacher_id, exam_id, now(), now() + interval '2 hours' FROM exam_assignments ORDER BY teacher_id, exam_id LIMIT @n
            RETURNING id, teacher_id, exam_id
            """,
            connection))
        {
            insert.Parameters.AddWithValue("n", Attempts);
            await using var reader = await insert.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var answers = questions[reader.GetInt32(2)];
                requests.Add(new AcceptedSubmission(
                    Guid.NewGuid(), reader.GetInt64(0), reader.GetInt32(1), Guid.CreateVersion7(now), now,
                    answers.Select(a => a.Question).ToArray(), answers.Select(a => a.Option).ToArray()));
            }
        }
        if (requests.Count < Attempts)
        {
            throw new InvalidOperationException($"Only {requests.Count} attempts could be made; the demo data (section Seed) must assign at least {Attempts}.");
        }
        // Shuffled, so that consecutive submissions do not belong to one teacher's neighbouring rows only.
        var shuffled = requests.ToArray();
        new Random(7).Shuffle(shuffled);
        return shuffled;
    }

    /// <summary>A fixed invocation count: each invocation uses up attempts, so their number must be known in advance.</summary>
    public sealed class Config : ManualConfig
    {
        public Config() => AddJob(Job.ShortRun.WithWarmupCount(3).WithIterationCount(15).WithInvocationCount(16).WithUnrollFactor(1).WithId("Fixed16"));
    }
}
