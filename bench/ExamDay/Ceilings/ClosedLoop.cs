using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Serialization;
using HdrHistogram;

namespace ExamConsole.ExamDay.Ceilings;

/// <summary>What one closed-loop phase did: requests per second and the latency of each answer.</summary>
public sealed record PhaseResult(
    string Name,
    int Round,
    long Requests,
    double Seconds,
    double PerSecond,
    LatencySummary Latency,
    IReadOnlyDictionary<string, long> Statuses)
{
    /// <summary>The latencies in microseconds, for merging the rounds; not in the JSON.</summary>
    [JsonIgnore]
    public HistogramBase? Histogram { get; init; }

    public string ToLine() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Name,-14}{Round,6}{Requests,10}{Seconds,9:F2}{PerSecond,10:F0}{Latency.P50Ms,9:F2}{Latency.P95Ms,9:F2}{Latency.P99Ms,9:F2}{Latency.MaxMs,10:F2}  {string.Join(", ", Statuses.Select(s => $"{s.Key}: {s.Value}"))}");

    public const string Header = "phase          round  requests  seconds     req/s   p50 ms   p95 ms   p99 ms    max ms  answers";
}

/// <summary>
/// A closed loop: N workers over N connections, each sending its next request as soon as the last
/// answer is read. It measures what a server can do at that concurrency (a ceiling), not the
/// latency at a given arrival rate (that is the open-model rehearsal's job), so each latency is
/// the request's own, from send to the last byte of the body.
/// </summary>
public static class ClosedLoop
{
    private const long HighestMicros = 600_000_000;

    /// <summary>
    /// Runs <paramref name="workers"/> loops until <paramref name="duration"/> has passed or
    /// <paramref name="next"/> has no more work (returns null).
    /// </summary>
    public static async Task<PhaseResult> RunAsync(
        string name, int round, HttpClient client, int workers, TimeSpan duration, Func<HttpRequestMessage?> next, CancellationToken cancellationToken)
    {
        var histograms = new LongHistogram[workers];
        var statuses = new Dictionary<string, long>[workers];
        var clock = Stopwatch.StartNew();
        var loops = Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var histogram = histograms[w] = new LongHistogram(1, HighestMicros, 3);
            var counts = statuses[w] = new Dictionary<string, long>(StringComparer.Ordinal);
            while (clock.Elapsed < duration && !cancellationToken.IsCancellationRequested && next() is { } request)
            {
                using (request)
                {
                    var sent = Stopwatch.GetTimestamp();
                    string key;
                    try
                    {
                        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
                        await response.Content.ReadAsByteArrayAsync(cancellationToken);
                        key = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
                        if (response.IsSuccessStatusCode)
                        {
                            histogram.RecordValue(Math.Clamp((long)Stopwatch.GetElapsedTime(sent).TotalMicroseconds, 1, HighestMicros));
                        }
                    }
                    catch (HttpRequestException ex)
                    {
                        key = ex.HttpRequestError.ToString();
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        key = "timeout";
                    }
                    counts[key] = counts.GetValueOrDefault(key) + 1;
                }
            }
        }, cancellationToken)).ToArray();
        await Task.WhenAll(loops);
        var seconds = clock.Elapsed.TotalSeconds;

        var total = new LongHistogram(1, HighestMicros, 3);
        foreach (var h in histograms)
        {
            total.Add(h);
        }
        var merged = statuses.SelectMany(s => s).GroupBy(s => s.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(s => s.Value), StringComparer.Ordinal);
        var requests = merged.Values.Sum();
        return new PhaseResult(name, round, requests, Math.Round(seconds, 3), Math.Round(requests / seconds, 1), LatencySummary.Of(total), new SortedDictionary<string, long>(merged, StringComparer.Ordinal))
        {
            Histogram = total,
        };
    }
}
