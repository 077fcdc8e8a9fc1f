using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace ExamConsole.E2E;

/// <summary>
/// Background teacher traffic for the console flows: a few teachers saving answers and reading their
/// attempts in a loop until stopped (bounded by the flow's own deadline). Every answer is kept.
/// </summary>
public sealed class TeacherTraffic : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];

    public ConcurrentQueue<(HttpStatusCode Status, bool RetryAfter, DateTime At)> Answers { get; } = new();

    public static async Task<TeacherTraffic> StartAsync(E2EFixture fixture, int teachers)
    {
        var traffic = new TeacherTraffic();
        for (var i = 0; i < teachers; i++)
        {
            var teacher = await fixture.Data.CreateTeacherAsync();
            var client = fixture.ApiClient();
            var login = await client.PostAsJsonAsync("/api/auth/login", new { teacherCode = teacher.Code, password = teacher.Password });
            login.EnsureSuccessStatusCode();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString());
            var attempt = await (await client.PostAsync("/api/exams/1/attempts", null)).Content.ReadFromJsonAsync<JsonElement>();
            var attemptId = attempt.GetProperty("attemptId").GetInt64();
            var paper = await client.GetFromJsonAsync<JsonElement>("/api/exams/1/paper");
            var question = paper.GetProperty("questions")[0];
            var body = new { answers = new[] { new { questionId = question.GetProperty("questionId").GetInt32(), optionId = question.GetProperty("options")[0].GetProperty("optionId").GetInt32() } } };
            traffic._loops.Add(Task.Run(() => traffic.LoopAsync(client, attemptId, body)));
        }
        return traffic;
    }

    private async Task LoopAsync(HttpClient client, long attemptId, object body)
    {
        using (client)
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    var save = await client.PutAsJsonAsync($"/api/attempts/{attemptId}/answers", body, _stop.Token);
                    Answers.Enqueue((save.StatusCode, save.Headers.RetryAfter is not null, DateTime.UtcNow));
                    var status = await client.GetAsync($"/api/attempts/{attemptId}", _stop.Token);
                    Answers.Enqueue((status.StatusCode, status.Headers.RetryAfter is not null, DateTime.UtcNow));
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    return;
                }
                await Task.Delay(20);
            }
        }
    }

    public IReadOnlyList<(HttpStatusCode Status, bool RetryAfter, DateTime At)> Since(DateTime at) => Answers.Where(a => a.At >= at).ToList();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_loops);
        _stop.Dispose();
    }
}
