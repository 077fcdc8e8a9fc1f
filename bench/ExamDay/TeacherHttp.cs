using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace ExamConsole.ExamDay;

/// <summary>What one call came to: the final HTTP status and body, or a failure without an answer.</summary>
public sealed record Reply(int Status, byte[]? Body, string? Failure)
{
    public bool Ok => Status is >= 200 and <= 299;

    /// <summary>What made a teacher stop, for the report's list of failure reasons.</summary>
    public string Reason(string endpoint) => Failure is null ? $"{endpoint} {Status}" : $"{endpoint} {Failure}";

    public T Read<T>(JsonTypeInfo<T> type) =>
        JsonSerializer.Deserialize(Body ?? [], type) ?? throw new JsonException($"Empty answer ({Status}).");
}

/// <summary>
/// Sends one teacher's requests and measures each from its intended start: the time the open
/// model meant it to leave, not the time it actually left. A late client (its thread pool or its
/// connection pool busy) therefore shows in the figures instead of hiding them (coordinated
/// omission). A 503 or 429 is retried after its Retry-After (plus a jitter of up to half of it),
/// the retry's intended start being the end of that wait. A request that a node refuses or resets
/// at the connection level is sent again, with the same token, to the next live node of the
/// teacher's <see cref="NodeRoute"/> (as a balancer would); its latency keeps its intended start.
/// </summary>
public sealed class TeacherHttp(NodeRoute route, RunStats stats, int maxTries, TimeProvider time)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(1);

    /// <summary>One node, one client (a single --url).</summary>
    public TeacherHttp(HttpClient client, RunStats stats, int maxTries, TimeProvider time)
        : this(NodeRoute.Single(client), stats, maxTries, time)
    {
    }

    public string? Token { get; set; }

    /// <summary>The node that gave the last answer.</summary>
    public FleetNode? LastNode { get; private set; }

    public RunStats Stats => stats;

    public Task<Reply> GetAsync(string endpoint, string path, long intendedStart, CancellationToken cancellationToken) =>
        SendAsync(endpoint, intendedStart, () => new HttpRequestMessage(HttpMethod.Get, path), cancellationToken);

    public Task<Reply> PostAsync(string endpoint, string path, long intendedStart, CancellationToken cancellationToken) =>
        SendAsync(endpoint, intendedStart, () => new HttpRequestMessage(HttpMethod.Post, path), cancellationToken);

    public Task<Reply> SendJsonAsync<T>(string endpoint, HttpMethod method, string path, T body, JsonTypeInfo<T> type, long intendedStart, CancellationToken cancellationToken)
    {
        // Encoded once, sent with a Content-Length (as a phone's client would), the same bytes on a retry.
        var bytes = JsonSerializer.SerializeToUtf8Bytes(body, type);
        return SendAsync(endpoint, intendedStart, () => new HttpRequestMessage(method, path)
        {
            Content = new ByteArrayContent(bytes) { Headers = { ContentType = Json } },
        }, cancellationToken);
    }

    private async Task<Reply> SendAsync(string endpoint, long intendedStart, Func<HttpRequestMessage> build, CancellationToken cancellationToken)
    {
        var stat = stats[endpoint];
        var node = route.Route();
        var failovers = 0;
        for (var attempt = 1; ;)
        {
            using var request = build();
            if (Token is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            }
            HttpResponseMessage response;
            node.CountRequest();
            try
            {
                response = await route.ClientFor(node).SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                stat.RecordFailure("timeout");
                return new Reply(0, null, "timeout");
            }
            catch (HttpRequestException ex)
            {
                // Refused or reset: the node is gone (killed, restarting). Every request of the contract is
                // idempotent (a submit by its submissionId), so it goes to the next live node, each node once at most.
                if (failovers < route.Nodes.Nodes.Count - 1 && route.FailOver(node) is { } next)
                {
                    failovers++;
                    node = next;
                    continue;
                }
                var kind = ex.HttpRequestError == HttpRequestError.ConnectionError ? "connection" : "transport";
                stat.RecordFailure(kind);
                return new Reply(0, null, kind);
            }
            LastNode = node;
            using (response)
            {
                // The body is already read (ResponseContentRead): the latency covers the whole answer.
                var latency = time.GetElapsedTime(intendedStart);
                var status = (int)response.StatusCode;
                var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    stat.RecordSuccess(status, latency);
                    return new Reply(status, body, null);
                }
                stat.RecordError(status);
                if (response.StatusCode is not (HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests) || attempt >= maxTries)
                {
                    return new Reply(status, body, null);
                }
                attempt++;
                // At least Retry-After, plus up to half of it again: clients shed together must not all come back in the same instant.
                var wait = RetryAfter(response) * (1 + (Random.Shared.NextDouble() / 2));
                intendedStart = time.GetTimestamp() + (long)(wait.TotalSeconds * time.TimestampFrequency);
                await Task.Delay(wait, time, cancellationToken);
            }
        }
    }

    private TimeSpan RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        var wait = header?.Delta ?? (header?.Date is { } date ? date - time.GetUtcNow() : DefaultRetryAfter);
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
    }
}
