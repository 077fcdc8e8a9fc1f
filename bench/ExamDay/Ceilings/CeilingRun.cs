using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using HdrHistogram;
using Npgsql;

namespace ExamConsole.ExamDay.Ceilings;

/// <summary>
/// examday ceilings: measures, in one run, (1) the host's paper endpoint against a bare Kestrel
/// endpoint serving the same bytes and (2) the host's submit path against pgbench running one
/// transaction per submission, each pair at the same concurrency and in alternating rounds.
/// </summary>
public sealed class CeilingRun(CeilingOptions options)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public static async Task<int> MainAsync(IReadOnlyList<string> args)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(CeilingOptions.Usage);
            return 0;
        }
        CeilingOptions options;
        try
        {
            options = CeilingOptions.Parse(args);
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            await Console.Error.WriteLineAsync(CeilingOptions.Usage);
            return 2;
        }
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(30));
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        var report = await new CeilingRun(options).ExecuteAsync(stop.Token);
        Console.WriteLine();
        Console.Write(report.ToText());
        var path = Path.GetFullPath(options.ReportPath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(report, CeilingJson.Default.CeilingReport));
        Console.WriteLine($"Report written to {path}");
        return report.Failures.Count == 0 ? 0 : 1;
    }

    public async Task<CeilingReport> ExecuteAsync(CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var loadAtStart = LoadAverage.Read();
        var folder = Directory.CreateTempSubdirectory("examday-ceilings-").FullName;
        var failures = new List<string>();
        using var client = NewClient(options.BaseUrl, options.Connections);
        var phases = new List<PhaseResult>();
        try
        {
            if (options.Only is null or "paper")
            {
                phases.AddRange(await PaperAsync(client, folder, cancellationToken));
            }
            var teachersUsed = 0;
            if (options.Only is null or "submit")
            {
                var (submits, used) = await SubmitAsync(client, folder, failures, cancellationToken);
                phases.AddRange(submits);
                teachersUsed = used;
            }
            if (options.Only is null or "saves")
            {
                phases.AddRange(await new AnswerSaves(options).RunAsync(client, options.FirstTeacher + teachersUsed, cancellationToken));
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
        failures.AddRange(phases.Where(p => p.Statuses.Keys.Any(k => k is not ("200" or "204" or "committed")))
            .Select(p => $"{p.Name} round {p.Round}: answers other than 200, 204: {string.Join(", ", p.Statuses.Select(s => $"{s.Key}: {s.Value}"))}"));
        var loadAtEnd = LoadAverage.Read();
        return new CeilingReport(startedAt, DateTimeOffset.UtcNow, Settings(), phases, Totals(phases), new LoadAverages(loadAtStart, loadAtEnd, Math.Max(loadAtStart, loadAtEnd)), failures);
    }

    private async Task<List<PhaseResult>> PaperAsync(HttpClient client, string folder, CancellationToken cancellationToken)
    {
        // One teacher's token and one exam's paper: the bytes the host serves are the bytes the bare server serves.
        var (_, auth) = await ApiCalls.LoginAsync(client, options.FirstTeacher, cancellationToken);
        var examId = (await ApiCalls.SendAsync(client, HttpMethod.Get, "/api/exams", auth, ContractJson.Default.ListExamItem, cancellationToken)).Value.Min(e => e.ExamId);
        var paperPath = $"/api/exams/{examId}/paper";
        var paper = await ApiCalls.GetBytesAsync(client, paperPath, auth, cancellationToken);
        Console.WriteLine($"Paper of exam {examId}: {paper.Length:N0} bytes. Starting the bare Kestrel server...");

        var (server, bareUrl) = await BarePaperServer.StartAsync(paper, folder, cancellationToken);
        try
        {
            using var bare = NewClient(bareUrl, options.Connections);
            Func<HttpRequestMessage?> real = () => new HttpRequestMessage(HttpMethod.Get, paperPath) { Headers = { Authorization = auth } };
            Func<HttpRequestMessage?> ceiling = () => new HttpRequestMessage(HttpMethod.Get, BarePaperServer.Path);
            // Warm-up, not recorded: connections opened, JIT and tiered compilation done on both servers.
            var warmUp = TimeSpan.FromSeconds(3);
            await ClosedLoop.RunAsync("warm-up", 0, bare, options.Connections, warmUp, ceiling, cancellationToken);
            await ClosedLoop.RunAsync("warm-up", 0, client, options.Connections, warmUp, real, cancellationToken);
            var results = new List<PhaseResult>();
            for (var round = 1; round <= options.Rounds; round++)
            {
                // Alternating order: a burst of the machine's other work does not always hit the same side.
                var order = round % 2 == 1 ? new[] { true, false } : [false, true];
                foreach (var isBare in order)
                {
                    var result = isBare
                        ? await ClosedLoop.RunAsync("bare-paper", round, bare, options.Connections, options.PaperDuration, ceiling, cancellationToken)
                        : await ClosedLoop.RunAsync("paper", round, client, options.Connections, options.PaperDuration, real, cancellationToken);
                    Console.WriteLine(result.ToLine());
                    results.Add(result);
                }
            }
            return results;
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync(CancellationToken.None);
            server.Dispose();
        }
    }

    /// <summary>The submit phases, and how many teachers their attempts took (the answer saves start after them).</summary>
    private async Task<(List<PhaseResult> Phases, int TeachersUsed)> SubmitAsync(HttpClient client, string folder, List<string> failures, CancellationToken cancellationToken)
    {
        var pgbench = new PgBench(options.Database, PgBench.Find(options.PgBench));
        // Each pgbench client runs the same number of transactions: round the phase down to a multiple of the clients.
        var perPhase = Math.Max(options.Connections, options.Submissions / options.Connections * options.Connections);
        // Warm-up, not recorded, for both sides: the host's submit path compiled (tiered JIT) and its
        // committers' connections busy once; pgbench's backends started. Without it the first round
        // measured start-up (918/s against 1,339/s in the second, BENCHMARKS.md); with 8 per connection
        // (half a second) a fresh host's first round still did 1,266/s, p99 124 ms, against 1,872/s,
        // p99 90 ms, once warm. 32 per connection is one to two seconds of load.
        var warm = options.Connections * 32;
        var needed = perPhase * options.Rounds * 2 + warm * 2;
        var clock = Stopwatch.StartNew();
        var prepared = await SubmitTargets.PrepareAsync(client, options.FirstTeacher, needed, options.Answers, Math.Min(options.Connections, 32), cancellationToken);
        Console.WriteLine($"Started {prepared.Targets.Count:N0} attempts for {prepared.TeachersUsed:N0} teachers from {VirtualTeacher.Code(options.FirstTeacher)} in {clock.Elapsed.TotalSeconds:F1} s ({prepared.AlreadyStarted} attempts were there before and were skipped).");
        if (prepared.Targets.Count < needed)
        {
            throw new InvalidOperationException($"Only {prepared.Targets.Count} of {needed} attempts could be started.");
        }

        var results = new List<PhaseResult>();
        var batches = prepared.Targets.Skip(warm * 2).Chunk(perPhase).ToList();
        var next = 0;
        try
        {
            var warmUp = prepared.Targets.Take(warm * 2).Chunk(warm).ToList();
            Console.WriteLine((await HttpSubmitAsync(client, 0, warmUp[0], cancellationToken)).ToLine() + " (warm-up, not recorded)");
            Console.WriteLine((await pgbench.RunAsync(0, warmUp[1], options.Connections, folder, cancellationToken)).ToLine() + " (warm-up, not recorded)");
            for (var round = 1; round <= options.Rounds; round++)
            {
                var order = round % 2 == 1 ? new[] { true, false } : [false, true];
                foreach (var isPgBench in order)
                {
                    var batch = batches[next++];
                    var result = isPgBench
                        ? await pgbench.RunAsync(round, batch, options.Connections, folder, cancellationToken)
                        : await HttpSubmitAsync(client, round, batch, cancellationToken);
                    Console.WriteLine(result.ToLine());
                    results.Add(result);
                    var recorded = await RecordedAsync(batch, cancellationToken);
                    var expected = result.Name == "pgbench-submit" ? result.Statuses.GetValueOrDefault("committed") : result.Statuses.GetValueOrDefault("200");
                    if (recorded != expected)
                    {
                        failures.Add($"{result.Name} round {round}: {expected} submissions answered as recorded, {recorded} found in the database.");
                    }
                }
            }
        }
        finally
        {
            await pgbench.CleanUpAsync(CancellationToken.None);
        }
        return (results, prepared.TeachersUsed);
    }

    private Task<PhaseResult> HttpSubmitAsync(HttpClient client, int round, SubmitTarget[] batch, CancellationToken cancellationToken)
    {
        var queue = new System.Collections.Concurrent.ConcurrentQueue<SubmitTarget>(batch);
        return ClosedLoop.RunAsync("submit", round, client, options.Connections, TimeSpan.FromMinutes(10), () =>
        {
            if (!queue.TryDequeue(out var t))
            {
                return null;
            }
            var body = new SubmitBody(Guid.NewGuid(), t.QuestionIds.Select((q, i) => new AnswerPick(q, t.OptionIds[i])).ToList());
            return new HttpRequestMessage(HttpMethod.Post, $"/api/attempts/{t.AttemptId}/submit")
            {
                Headers = { Authorization = new AuthenticationHeaderValue("Bearer", t.Token) },
                Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, ContractJson.Default.SubmitBody)) { Headers = { ContentType = Json } },
            };
        }, cancellationToken);
    }

    /// <summary>Submissions in the database for the batch's attempts: what was answered as recorded must be there.</summary>
    private async Task<long> RecordedAsync(SubmitTarget[] batch, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(options.Database);
        await connection.OpenAsync(cancellationToken);
        await using var count = new NpgsqlCommand("SELECT count(*) FROM submissions WHERE attempt_id = ANY(@ids)", connection);
        count.Parameters.AddWithValue("ids", batch.Select(t => t.AttemptId).ToArray());
        return (long)(await count.ExecuteScalarAsync(cancellationToken))!;
    }

    private static List<PhaseTotal> Totals(List<PhaseResult> phases) =>
        phases.GroupBy(p => p.Name, StringComparer.Ordinal).Select(g =>
        {
            var histogram = new LongHistogram(1, 600_000_000, 3);
            foreach (var p in g.Where(p => p.Histogram is not null))
            {
                histogram.Add(p.Histogram!);
            }
            var requests = g.Sum(p => p.Requests);
            var seconds = g.Sum(p => p.Seconds);
            return new PhaseTotal(g.Key, requests, Math.Round(seconds, 3), Math.Round(requests / seconds, 1), LatencySummary.Of(histogram));
        }).ToList();

    private CeilingSettings Settings() => new(
        options.BaseUrl.ToString(), options.Connections, options.PaperDuration.TotalSeconds, options.Submissions, options.Rounds, options.Answers,
        options.SaveDuration.TotalSeconds, options.FirstTeacher, Environment.ProcessorCount);

    private static HttpClient NewClient(Uri baseUrl, int connections) =>
        new(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
        }, disposeHandler: true)
        { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(60) };
}

public sealed record CeilingSettings(string BaseUrl, int Connections, double PaperSeconds, int Submissions, int Rounds, int Answers, double SaveSeconds, int FirstTeacher, int Cores);

public sealed record PhaseTotal(string Name, long Requests, double Seconds, double PerSecond, LatencySummary Latency);

/// <summary>Every phase of a ceilings run and the ratios the issue asks for.</summary>
public sealed record CeilingReport(
    DateTimeOffset StartedAt,
    DateTimeOffset EndedAt,
    CeilingSettings Settings,
    IReadOnlyList<PhaseResult> Phases,
    IReadOnlyList<PhaseTotal> Totals,
    LoadAverages LoadAverage,
    IReadOnlyList<string> Failures)
{
    /// <summary>Paper req/s over bare Kestrel req/s (all rounds); null when either side did not run.</summary>
    public double? PaperShareOfCeiling => Ratio("paper", "bare-paper");

    /// <summary>Submit req/s through the host (group commit) over pgbench's one-transaction-per-submission tps.</summary>
    public double? SubmitOverPgBench => Ratio("submit", "pgbench-submit");

    private double? Ratio(string a, string b) =>
        Totals.FirstOrDefault(t => t.Name == a) is { } x && Totals.FirstOrDefault(t => t.Name == b) is { PerSecond: > 0 } y
            ? Math.Round(x.PerSecond / y.PerSecond, 3)
            : null;

    public string ToText()
    {
        var text = new StringBuilder();
        var s = Settings;
        text.AppendLine(CultureInfo.InvariantCulture, $"Ceilings against {s.BaseUrl}: {s.Connections} connections, {s.Rounds} rounds, paper {s.PaperSeconds} s per phase, {s.Submissions} submissions per phase of {s.Answers} answers, saves {s.SaveSeconds} s per phase; {s.Cores} cores");
        text.AppendLine(PhaseResult.Header);
        foreach (var p in Phases)
        {
            text.AppendLine(p.ToLine());
        }
        text.AppendLine("all rounds:");
        foreach (var t in Totals)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{t.Name,-14}{"",6}{t.Requests,10}{t.Seconds,9:F2}{t.PerSecond,10:F0}{t.Latency.P50Ms,9:F2}{t.Latency.P95Ms,9:F2}{t.Latency.P99Ms,9:F2}{t.Latency.MaxMs,10:F2}");
        }
        if (PaperShareOfCeiling is { } paper)
        {
            var p99 = Totals.First(t => t.Name == "paper").Latency.P99Ms;
            text.AppendLine(CultureInfo.InvariantCulture, $"Paper: {paper:P1} of the bare Kestrel ceiling (target at least 60 %), p99 {p99:F2} ms at {s.Connections} connections (target under 5 ms)");
        }
        if (SubmitOverPgBench is { } submit)
        {
            var p99 = Totals.First(t => t.Name == "submit").Latency.P99Ms;
            text.AppendLine(CultureInfo.InvariantCulture, $"Submit ({s.Answers} answers): {submit:F2}x pgbench running the original design's one transaction per submission (target at least 3x), p99 {p99:F2} ms at {s.Connections} connections");
        }
        foreach (var save in Totals.Where(t => t.Name.StartsWith("save-", StringComparison.Ordinal)))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Answer saves, {save.Name["save-".Length..]} answers: {save.PerSecond:F0}/s, p99 {save.Latency.P99Ms:F2} ms at {s.Connections} connections");
        }
        foreach (var f in Failures)
        {
            text.AppendLine("FAILURE: " + f);
        }
        text.AppendLine(CultureInfo.InvariantCulture, $"Load average (1 min): {LoadAverage.AtStart:F2} at start, {LoadAverage.AtEnd:F2} at end");
        return text.ToString();
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(CeilingReport))]
internal sealed partial class CeilingJson : JsonSerializerContext;
