using System.Net;

namespace ExamConsole.ExamDay.Tests;

/// <summary>How a teacher's requests are measured and retried, against a hand-written handler (no network).</summary>
public sealed class TeacherHttpTests
{
    [Fact]
    public async Task Send_LateAgainstItsIntendedStart_CountsTheDelayInTheLatency()
    {
        var stats = new RunStats();
        using var client = Client(new ScriptedHandler(HttpStatusCode.OK));
        var http = new TeacherHttp(client, stats, maxTries: 1, TimeProvider.System);
        // Meant to leave 250 ms ago (a late timer, a busy client): those 250 ms are the teacher's wait too.
        var intended = TimeProvider.System.GetTimestamp() - (long)(0.250 * TimeProvider.System.TimestampFrequency);

        var reply = await http.GetAsync(Endpoints.Exams, "/api/exams", intended, CancellationToken.None);

        Assert.True(reply.Ok);
        var latency = stats[Endpoints.Exams].Drain();
        Assert.Equal(1, latency.Count);
        Assert.True(latency.MaxMs >= 250, $"recorded {latency.MaxMs} ms");
    }

    [Fact]
    public async Task Send_ShedWith503_WaitsRetryAfterAndCountsBothAnswers()
    {
        var stats = new RunStats();
        var handler = new ScriptedHandler(HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);
        using var client = Client(handler);
        var http = new TeacherHttp(client, stats, maxTries: 3, TimeProvider.System);

        var reply = await http.SendJsonAsync(Endpoints.Submit, HttpMethod.Post, "/api/attempts/1/submit",
            new SubmitBody(Guid.NewGuid(), []), ContractJson.Default.SubmitBody, TimeProvider.System.GetTimestamp(), CancellationToken.None);

        Assert.Equal(200, reply.Status);
        Assert.Equal(2, handler.Calls);
        var submit = stats[Endpoints.Submit];
        Assert.Equal(1, submit.Statuses["503"]);
        Assert.Equal(1, submit.Statuses["200"]);
        Assert.Equal(1, submit.ServerErrors);
        // The 503 is an error, not a latency: only the answer that served the teacher is in the histogram.
        Assert.Equal(1, submit.Drain().Count);
    }

    [Fact]
    public async Task Send_ShedMoreOftenThanMaxTries_GivesUpWithThe503()
    {
        var stats = new RunStats();
        var handler = new ScriptedHandler(HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);
        using var client = Client(handler);
        var http = new TeacherHttp(client, stats, maxTries: 2, TimeProvider.System);

        var reply = await http.GetAsync(Endpoints.Status, "/api/attempts/1", TimeProvider.System.GetTimestamp(), CancellationToken.None);

        Assert.Equal(503, reply.Status);
        Assert.Equal(2, handler.Calls);
        Assert.Equal("status 503", reply.Reason(Endpoints.Status));
    }

    private static HttpClient Client(HttpMessageHandler handler) => new(handler) { BaseAddress = new Uri("http://127.0.0.1:1") };

    /// <summary>Answers with the given statuses in turn (the last one again after that); a 503 says Retry-After: 0.</summary>
    private sealed class ScriptedHandler(params HttpStatusCode[] statuses) : HttpMessageHandler
    {
        private int _calls;

        public int Calls => _calls;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var call = Interlocked.Increment(ref _calls);
            var status = statuses[Math.Min(call, statuses.Length) - 1];
            var response = new HttpResponseMessage(status) { Content = new StringContent("{}") };
            if (status == HttpStatusCode.ServiceUnavailable)
            {
                response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.Zero);
            }
            return Task.FromResult(response);
        }
    }
}
