using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace ExamConsole.ExamDay.Ceilings;

/// <summary>An attempt started through the API and ready to be submitted once, with the answers to send.</summary>
public sealed record SubmitTarget(long AttemptId, int TeacherId, string Token, int[] QuestionIds, int[] OptionIds);

/// <summary>
/// Starts attempts through the API for the submit phases: demo teachers from a first number, each
/// logging in and starting an attempt on its exams 1 to 9 (slot 0 is left to exam-day runs).
/// Answers are picked from the paper the teacher was given, so pgbench and the host write rows
/// the same checks accept.
/// </summary>
public static class SubmitTargets
{
    private const int FirstSlot = 1;
    private const int LastSlot = 9;

    public sealed record Prepared(List<SubmitTarget> Targets, int TeachersUsed, int AlreadyStarted);

    public static async Task<Prepared> PrepareAsync(HttpClient client, int firstTeacher, int count, int answers, int workers, CancellationToken cancellationToken)
    {
        var targets = new ConcurrentQueue<SubmitTarget>();
        var papers = new ConcurrentDictionary<int, Task<PaperAnswer>>();
        var nextTeacher = firstTeacher - 1;
        var used = 0;
        var alreadyStarted = 0;
        var seed = 0;

        async Task WorkAsync()
        {
            var rng = new Random(Interlocked.Increment(ref seed) * 7919);
            while (targets.Count < count)
            {
                var number = Interlocked.Increment(ref nextTeacher);
                Interlocked.Increment(ref used);
                var (me, auth) = await ApiCalls.LoginAsync(client, number, cancellationToken);
                var exams = (await ApiCalls.SendAsync(client, HttpMethod.Get, "/api/exams", auth, ContractJson.Default.ListExamItem, cancellationToken)).Value
                    .OrderBy(e => e.ExamId).ToList();
                for (var slot = FirstSlot; slot <= Math.Min(LastSlot, exams.Count - 1) && targets.Count < count; slot++)
                {
                    var examId = exams[slot].ExamId;
                    var paper = await papers.GetOrAdd(examId, _ => PaperAsync(client, examId, auth, cancellationToken));
                    var (status, attempt) = await ApiCalls.SendAsync(client, HttpMethod.Post, $"/api/exams/{examId}/attempts", auth, ContractJson.Default.AttemptAnswer, cancellationToken);
                    if (status != HttpStatusCode.Created)
                    {
                        // 200: this teacher started it before (another run); it may be submitted already.
                        Interlocked.Increment(ref alreadyStarted);
                        continue;
                    }
                    var picked = paper.Questions.OrderBy(_ => rng.Next()).Take(answers).ToArray();
                    targets.Enqueue(new SubmitTarget(
                        attempt.AttemptId,
                        me.TeacherId,
                        me.Token,
                        picked.Select(q => q.QuestionId).ToArray(),
                        picked.Select(q => q.Options[rng.Next(q.Options.Count)].OptionId).ToArray()));
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(WorkAsync, cancellationToken)));
        return new Prepared(targets.Take(count).ToList(), used, alreadyStarted);
    }

    private static async Task<PaperAnswer> PaperAsync(HttpClient client, int examId, AuthenticationHeaderValue auth, CancellationToken cancellationToken) =>
        (await ApiCalls.SendAsync(client, HttpMethod.Get, $"/api/exams/{examId}/paper", auth, ContractJson.Default.PaperAnswer, cancellationToken)).Value;
}
