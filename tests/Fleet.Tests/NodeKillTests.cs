using ExamConsole.ExamDay;
using ExamConsole.Testing;
using Xunit.Abstractions;

namespace ExamConsole.Fleet.Tests;

/// <summary>
/// Issue 13, item 8: a node of a fleet dies the hard way mid-exam. Three real host processes on one
/// real PostgreSQL, one signing key, a spool folder each; node B answers every submit from its spool
/// (202, forced fallback), so that it holds acknowledged submissions nobody else has when it dies.
/// The rehearsal tool spreads its teachers over the three as a balancer would.
/// </summary>
public sealed class NodeKillTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Teachers = 300;
    private const string SigningKey = "fleet-node-kill-test-signing-key-32+bytes";
    // Bounds, not expectations: the suites share two cores, and a host can take a minute to start under their load.
    private static readonly TimeSpan ReadyWithin = TimeSpan.FromMinutes(3);

    private readonly string _spools = Path.Combine(TestPostgres.RepositoryRoot(), ".data", "test", "fleet-spools-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly List<HostProcess> _hosts = [];
    private TestPostgres _postgres = null!;

    public async Task InitializeAsync() => _postgres = await TestPostgres.StartAsync("fleet", maxConnections: 150);

    [Fact]
    public async Task NodeKilledMidRehearsal_TeachersCarryOnElsewhereWithTheirTokensAndItsSpoolReplaysWhenItIsBack()
    {
        // A migrates and seeds; B and C join the database it made.
        var a = await StartNodeAsync("a", forceFallback: false);
        var nodes = await Task.WhenAll(StartNodeAsync("b", forceFallback: true), StartNodeAsync("c", forceFallback: false));
        var (b, c) = (nodes[0], nodes[1]);
        var options = new ExamDayOptions
        {
            BaseUrl = a.Address,
            Urls = [a.Address, b.Address, c.Address],
            Teachers = Teachers,
            ArrivalRate = 20,
            Ramp = TimeSpan.FromSeconds(1),
            Rounds = 4,
            AnswersPerSave = 3,
            ThinkTime = TimeSpan.FromSeconds(1),
            MaxDuration = TimeSpan.FromSeconds(240),
            // B's queued submissions reach the database only once B is back: the restart must fit in here.
            SettleTimeout = TimeSpan.FromSeconds(150),
            Database = _postgres.ConnectionString,
        };
        var run = new ExamDayRun(options);
        var nodeB = run.Nodes.Nodes[1];
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(420));
        var running = run.ExecuteAsync(bound.Token);

        // Mid-run (each teacher plays for 5 s or more, arriving at 20/s over 15 s), once B holds acknowledged submissions in its spool only: SIGKILL, no shutdown code runs.
        // Counted at B's 202 answers (a teacher's acknowledgement is only listed once it has finished).
        var queuedOnB = run.Stats[Endpoints.Submit];
        await Eventually.UntilAsync(
            () => Task.FromResult(queuedOnB.Statuses.GetValueOrDefault("202")),
            queued => queued >= 3,
            "node B to queue 3 submissions",
            TimeSpan.FromSeconds(90),
            _ => Progress(run));
        Assert.True(run.Finished + run.Failed < Teachers, $"Every teacher was done before B queued 3 submissions: the kill must come mid-run. {Progress(run)}");
        await b.KillAsync();
        var queuedBeforeKill = queuedOnB.Statuses.GetValueOrDefault("202");
        output.WriteLine($"B killed after {run.Elapsed.TotalSeconds:F1} s: {run.Started} teachers started, {queuedBeforeKill} submissions queued on B.");

        // Teachers homed on B go on against A and C; B comes back on its address with its spool, without the force.
        await Eventually.TrueAsync(() => nodeB.FailoversFrom > 0, "a request of B's teachers to fail over", TimeSpan.FromSeconds(30));
        var restarted = await StartNodeAsync("b", forceFallback: false, port: b.Address.Port);
        output.WriteLine($"B back after {run.Elapsed.TotalSeconds:F1} s.");

        var report = await running;
        output.WriteLine(report.ToText());

        Assert.True(report.Teachers.Finished == Teachers, $"{report.Teachers.Finished} of {Teachers} finished: {string.Join("; ", report.Teachers.FailureReasons)}");
        var shed = report.Endpoints.Sum(e => e.Statuses.GetValueOrDefault("503"));
        Assert.True(report.ServerErrors == shed, $"server errors other than a shed 503:\n{report.ToText()}");
        Assert.True(report.Nodes[1].Failovers > 0, "B's teachers never failed over");
        Assert.True(report.Submissions.Queued >= queuedBeforeKill);
        Assert.Equal(Teachers, report.Submissions.Acknowledged);
        Assert.Equal(0, report.Submissions.Lost);
        Assert.Equal(0, report.Submissions.ReceiptMismatches);

        // Exactly once: one row per acknowledged submission, one submission per attempt, nothing else.
        var ids = run.Acknowledged.Select(s => s.SubmissionId).ToArray();
        var data = new TestData(_postgres.ConnectionString);
        Assert.Equal(Teachers, await data.ScalarAsync<long>("SELECT count(*) FROM submissions WHERE submission_id = ANY(@ids)", ("ids", ids)));
        Assert.Equal(Teachers, await data.ScalarAsync<long>("SELECT count(*) FROM submissions"));
        Assert.Equal(Teachers, await data.ScalarAsync<long>("SELECT count(DISTINCT attempt_id) FROM submissions"));
        Assert.False(restarted.HasExited);
    }

    private static string Progress(ExamDayRun run) =>
        $"After {run.Elapsed.TotalSeconds:F1} s: {run.Acknowledged.Count(s => s.Queued)} queued; teachers started {run.Started}, finished {run.Finished}, failed {run.Failed}; " +
        string.Join(", ", run.Stats.All.Select(e => $"{e.Name} {string.Join('/', e.Statuses.Select(x => $"{x.Key}:{x.Value}"))}"));

    private async Task<HostProcess> StartNodeAsync(string name, bool forceFallback, int? port = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Exam"] = _postgres.ConnectionString,
            ["Auth__SigningKey"] = SigningKey,
            ["Spool__Directory"] = Path.Combine(_spools, name),
            ["Spool__ReplayInterval"] = "00:00:00.200",
            ["Submit__ForceFallback"] = forceFallback ? "true" : "false",
            ["Seed__Teachers"] = Teachers.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Seed__Exams"] = "2",
            ["Seed__QuestionsPerExam"] = "10",
            ["Pool__MaxSize"] = "30",
            ["Pool__MinSize"] = "0",
            ["Pool__ServerReserve"] = "20",
            ["Fleet__NodeName"] = "node-" + name,
        };
        var host = await HostProcess.StartAsync(environment, ReadyWithin, port);
        _hosts.Add(host);
        return host;
    }

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }
        await _postgres.DisposeAsync();
        if (Directory.Exists(_spools))
        {
            Directory.Delete(_spools, recursive: true);
        }
    }
}
