using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using ExamConsole.Api.Submissions.Spool;
using ExamConsole.Console.Hosting;
using ExamConsole.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace ExamConsole.Api.Tests.Faults;

/// <summary>
/// A cluster with a real PgBouncer in front, a host connecting only through it, and nothing else on
/// them: the fault test kills PgBouncer. It runs once, in the first pass (the second pass through
/// PgBouncer leaves out Category=Bouncer, which has PgBouncer already).
/// </summary>
public sealed class BouncerFaultFixture : IAsyncLifetime
{
    private LocalPgBouncer? _ownBouncer;

    public TestPostgres Postgres { get; private set; } = null!;

    public LocalPgBouncer Bouncer => Postgres.Bouncer ?? _ownBouncer!;

    public ExamHostFactory Factory { get; private set; } = null!;

    public TestData Data { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Postgres = await TestPostgres.StartAsync("bouncer-faults");
        if (Postgres.Bouncer is null)
        {
            _ownBouncer = await LocalPgBouncer.StartAsync(
                new LocalPgBouncerOptions { Port = 0, DataDirectory = Postgres.Server.DataDirectory + "-bouncer", PoolSize = 40, ReservePoolSize = 5, SessionPoolSize = 10, MaxClientConnections = 1000 },
                Postgres.Server.Port,
                "exam",
                fleetBudget: 1000);
        }
        Factory = new ExamHostFactory(Bouncer.ConnectionString);
        foreach (var (key, value) in FaultFixture.Settings)
        {
            Factory.Settings[key] = value;
        }
        Factory.Settings["PgBouncer:Enabled"] = "true";
        _ = Factory.Server;
        Data = new TestData(Postgres.Server.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await Factory.DisposeAsync();
        if (_ownBouncer is not null)
        {
            await _ownBouncer.DestroyAsync();
        }
        await Postgres.DisposeAsync();
    }
}

[Trait("Category", "Bouncer")]
public sealed class BouncerOutageTests(BouncerFaultFixture fixture, ITestOutputHelper output) : IClassFixture<BouncerFaultFixture>
{
    private const int Submissions = 200;

    [Fact]
    public async Task PgBouncerKilledAndRestartedMidLoad_NoAcknowledgedSubmissionLost_ReadsShedWithRetryAfter()
    {
        var teachers = new List<(HttpClient Client, long AttemptId)>();
        foreach (var teacher in await Task.WhenAll(Enumerable.Range(0, Submissions).Select(_ => fixture.Data.CreateTeacherAsync())))
        {
            var client = await fixture.Factory.TeacherClientAsync(teacher.Code, teacher.Password);
            var response = await client.PostAsync("/api/exams/1/attempts", null);
            response.EnsureSuccessStatusCode();
            teachers.Add((client, (await response.Content.ReadFromJsonAsync<AttemptBody>())!.AttemptId));
        }
        var question = await fixture.Data.ScalarAsync<int>("SELECT min(id) FROM questions WHERE exam_id = 1");
        var option = await fixture.Data.ScalarAsync<int>("SELECT min(id) FROM question_options WHERE question_id = @q", ("q", question));
        var clock = Stopwatch.StartNew();
        var outcomes = new ConcurrentBag<(long AttemptId, Guid SubmissionId, HttpStatusCode Status, TimeSpan At)>();
        var reads = new ConcurrentBag<(HttpStatusCode Status, bool RetryAfter, TimeSpan At)>();

        using var stopReading = new CancellationTokenSource();
        // The attempt's status is read from the database (the paper would come from the node's cache).
        var (reader, readAttempt) = teachers[0];
        var reading = Task.Run(async () =>
        {
            while (!stopReading.IsCancellationRequested)
            {
                var response = await reader.GetAsync($"/api/attempts/{readAttempt}");
                reads.Add((response.StatusCode, response.Headers.RetryAfter is not null, clock.Elapsed));
                await Task.Delay(50);
            }
        });
        // 120 submissions before and during the outage, the other 80 after PgBouncer is back.
        async Task SendAsync(IEnumerable<(HttpClient Client, long AttemptId)> some)
        {
            foreach (var wave in some.Chunk(8))
            {
                await Task.WhenAll(wave.Select(async t =>
                {
                    var submissionId = Guid.NewGuid();
                    var response = await t.Client.PostAsJsonAsync($"/api/attempts/{t.AttemptId}/submit",
                        new { submissionId, answers = new[] { new { questionId = question, optionId = option } } });
                    outcomes.Add((t.AttemptId, submissionId, response.StatusCode, clock.Elapsed));
                }));
                await Task.Delay(250);
            }
        }
        var sending = Task.Run(() => SendAsync(teachers.Take(120)));
        await Eventually.TrueAsync(() => outcomes.Count >= 40, "40 submissions before the kill", TimeSpan.FromSeconds(30));
        var killedAt = clock.Elapsed;
        await fixture.Bouncer.KillAsync();
        await Task.Delay(TimeSpan.FromSeconds(5));
        var restartedAt = clock.Elapsed;
        await fixture.Bouncer.RestartAsync();
        await sending;
        await SendAsync(teachers.Skip(120));
        var firstRead = await Eventually.UntilAsync(
            () => Task.FromResult(reads.Where(r => r.At > restartedAt && r.Status == HttpStatusCode.OK).Select(r => (TimeSpan?)r.At).Min()),
            at => at is not null,
            "an attempt read after PgBouncer's restart",
            TimeSpan.FromSeconds(30));
        var firstDirect = outcomes.Where(o => o.At > restartedAt && o.Status == HttpStatusCode.OK).Select(o => (TimeSpan?)o.At).Min();
        await stopReading.CancelAsync();
        await reading;

        Assert.Equal(Submissions, outcomes.Count);
        var unexpected = outcomes.Where(o => o.Status is not (HttpStatusCode.OK or HttpStatusCode.Accepted)).ToList();
        Assert.True(unexpected.Count == 0, $"{unexpected.Count} submissions were answered {string.Join(", ", unexpected.Select(o => (int)o.Status).Distinct())}");
        Assert.Contains(outcomes, o => o.Status == HttpStatusCode.Accepted);
        var badReads = reads.Where(r => r.Status != HttpStatusCode.OK && !(r.Status is HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests && r.RetryAfter)).ToList();
        Assert.True(badReads.Count == 0, $"reads answered {string.Join(", ", badReads.Select(r => (int)r.Status).Distinct())} (or without Retry-After)");

        var spool = fixture.Factory.Services.GetRequiredService<SubmissionSpool>();
        await Eventually.TrueAsync(() => spool.Depth == 0, "the spool to drain", TimeSpan.FromSeconds(60));
        var drainedAt = clock.Elapsed;
        foreach (var outcome in outcomes)
        {
            var rows = await fixture.Data.ScalarAsync<long>("SELECT count(*) FROM submissions WHERE submission_id = @s", ("s", outcome.SubmissionId));
            Assert.Equal(1, rows);
        }
        output.WriteLine(
            $"PgBouncer killed at {killedAt.TotalSeconds:F1} s, restarted at {restartedAt.TotalSeconds:F1} s; " +
            $"first attempt read {(firstRead!.Value - restartedAt).TotalMilliseconds:F0} ms after the restart, first submission stored directly " +
            (firstDirect is { } direct ? $"{(direct - restartedAt).TotalMilliseconds:F0} ms after; " : "not among the 80 sent after it (they were queued); ") +
            $"spool empty {(drainedAt - restartedAt).TotalSeconds:F1} s after; {outcomes.Count(o => o.Status == HttpStatusCode.Accepted)} of {Submissions} queued (202), " +
            $"{reads.Count(r => r.Status != HttpStatusCode.OK)} of {reads.Count} reads shed");
    }

    private sealed record AttemptBody(long AttemptId);
}
