using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using ExamConsole.Api.Contracts;
using ExamConsole.Api.Exams;
using ExamConsole.Data;
using Microsoft.Extensions.DependencyInjection;

namespace ExamConsole.Benchmarks;

/// <summary>
/// The paper endpoint's work: a cache hit (what every request but a node's first pays) against
/// encoding the paper again, and against a miss that reads it from PostgreSQL too. The paper has
/// the demo data's shape: 100 questions of four options, seeded by the host's own seeder.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[MinColumn]
[Config(typeof(PoolLeaseBenchmarks.ShortConfig))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class PaperBenchmarks
{
    private const string Memory = "InMemory";
    private const string Database = "WithDatabase";

    private BenchHost? _host;
    private PaperCache? _cache;
    private ExamDb? _db;
    private PaperResponse? _response;
    private int _examId;
    private readonly CancellationTokenSource _request = new();

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _host = await BenchHost.WithDatabaseAsync(
            new Dictionary<string, string?> { ["Seed:Teachers"] = "1", ["Seed:Exams"] = "1", ["Seed:QuestionsPerExam"] = "100" },
            throwaway: true);
        _db = _host.Services.GetRequiredService<ExamDb>();
        _cache = _host.Services.GetRequiredService<PaperCache>();
        _examId = 1;
        var paper = await _cache.GetAsync(_examId, _request.Token) ?? throw new InvalidOperationException("The seeded exam 1 is missing.");
        _response = JsonSerializer.Deserialize(paper.Utf8Json, ApiJsonContext.Default.PaperResponse);
        if (_response is not { Questions.Count: 100 })
        {
            throw new InvalidOperationException("The seeded paper does not have 100 questions.");
        }
        System.Console.WriteLine($"// paper of {_response.Questions.Count} questions: {paper.Utf8Json.Length} bytes of JSON");
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
        _request.Dispose();
    }

    /// <summary>Every request after a node's first: the bytes encoded once.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory(Memory)]
    public async Task<int> CacheHit()
    {
        var paper = await _cache!.GetAsync(_examId, _request.Token);
        return paper!.Utf8Json.Length;
    }

    /// <summary>What a cache of objects rather than bytes would pay per request: System.Text.Json, source-generated.</summary>
    [Benchmark]
    [BenchmarkCategory(Memory)]
    public int Serialize() => JsonSerializer.SerializeToUtf8Bytes(_response!, ApiJsonContext.Default.PaperResponse).Length;

    /// <summary>A miss after the query: encoding plus the answer-checking index the cache keeps.</summary>
    [Benchmark]
    [BenchmarkCategory(Memory)]
    public int BuildPaper() => new Paper(_response!).Utf8Json.Length;

    /// <summary>A node's first request for a paper: the split query (exam, questions, options) and the encoding.</summary>
    [Benchmark]
    [BenchmarkCategory(Database)]
    public async Task<int> Miss_FromDatabase()
    {
        var paper = await new PaperCache(_db!).GetAsync(_examId, _request.Token);
        return paper!.Utf8Json.Length;
    }
}
