using System.Net.Http.Headers;
using System.Text.Json;

namespace ExamConsole.ExamDay.Ceilings;

/// <summary>
/// The answer saves of the ceilings run: a closed loop of PUT /api/attempts/{id}/answers with a
/// small and a full-paper save (5 and 100 answers), in alternating rounds, over attempts started
/// for it. Each attempt's first save inserts its rows and later ones update them, as in an exam.
/// </summary>
internal sealed class AnswerSaves(CeilingOptions options)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    /// <summary>Answers per save in each phase: a few, and the whole paper.</summary>
    public static readonly int[] Sizes = [5, 100];

    public static string PhaseName(int size) => $"save-{size}";

    public async Task<List<PhaseResult>> RunAsync(HttpClient client, int firstTeacher, CancellationToken cancellationToken)
    {
        // Enough attempts that a round-robin never sends two saves of one attempt at once (64 in flight).
        var count = options.Connections * 8;
        var prepared = await SubmitTargets.PrepareAsync(client, firstTeacher, count, Sizes.Max(), Math.Min(options.Connections, 32), cancellationToken);
        Console.WriteLine($"Started {prepared.Targets.Count:N0} attempts for the answer saves from teacher {firstTeacher} ({prepared.AlreadyStarted} were there before and were skipped).");
        var targets = prepared.Targets;
        var results = new List<PhaseResult>();
        var warmUp = TimeSpan.FromSeconds(3);
        await ClosedLoop.RunAsync("warm-up", 0, client, options.Connections, warmUp, Next(targets, Sizes.Max()), cancellationToken);
        for (var round = 1; round <= options.Rounds; round++)
        {
            var order = round % 2 == 1 ? Sizes : Sizes.Reverse().ToArray();
            foreach (var size in order)
            {
                var result = await ClosedLoop.RunAsync(PhaseName(size), round, client, options.Connections, options.SaveDuration, Next(targets, size), cancellationToken);
                Console.WriteLine(result.ToLine());
                results.Add(result);
            }
        }
        return results;
    }

    private static Func<HttpRequestMessage?> Next(List<SubmitTarget> targets, int size)
    {
        var next = -1L;
        return () =>
        {
            var t = targets[(int)(Interlocked.Increment(ref next) % targets.Count)];
            var take = Math.Min(size, t.QuestionIds.Length);
            var body = new AnswersBody(Enumerable.Range(0, take).Select(i => new AnswerPick(t.QuestionIds[i], t.OptionIds[i])).ToList());
            return new HttpRequestMessage(HttpMethod.Put, $"/api/attempts/{t.AttemptId}/answers")
            {
                Headers = { Authorization = new AuthenticationHeaderValue("Bearer", t.Token) },
                Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, ContractJson.Default.AnswersBody)) { Headers = { ContentType = Json } },
            };
        };
    }
}
