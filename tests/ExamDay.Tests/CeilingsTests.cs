using ExamConsole.ExamDay.Ceilings;
using Xunit.Abstractions;

namespace ExamConsole.ExamDay.Tests;

/// <summary>
/// `examday ceilings` against the real host and a throwaway PostgreSQL, tiny: every phase runs and
/// what it reports as recorded is in the database. Correctness only; the figures are BENCHMARKS.md's.
/// </summary>
public sealed class CeilingsTests(QuickHostFixture fixture, ITestOutputHelper output) : IClassFixture<QuickHostFixture>
{
    [Fact]
    public async Task Ceilings_Tiny_RunsEveryPhaseAndFindsEverySubmissionInTheDatabase()
    {
        var options = new CeilingOptions
        {
            BaseUrl = fixture.BaseUrl,
            Database = fixture.ConnectionString,
            Connections = 4,
            PaperDuration = TimeSpan.FromSeconds(1),
            Submissions = 16,
            Rounds = 2,
            SaveDuration = TimeSpan.FromSeconds(1),
        };
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(120));

        var report = await new CeilingRun(options).ExecuteAsync(bound.Token);
        output.WriteLine(report.ToText());

        Assert.Empty(report.Failures);
        Assert.Equal(
            ["bare-paper", "paper", "paper", "bare-paper", "pgbench-submit", "submit", "submit", "pgbench-submit", "save-5", "save-100", "save-100", "save-5"],
            report.Phases.Select(p => p.Name));
        Assert.All(report.Phases, p => Assert.True(p.Requests > 0, $"{p.Name} round {p.Round} made no request"));
        // A fixed amount of submit work: 16 per phase, every one recorded (the database check is in Failures).
        Assert.All(report.Phases.Where(p => p.Name == "submit"), p => Assert.Equal(16, p.Statuses.GetValueOrDefault("200")));
        Assert.All(report.Phases.Where(p => p.Name == "pgbench-submit"), p => Assert.Equal(16, p.Statuses.GetValueOrDefault("committed")));
        // A full paper (100 answers) by default, on both sides; every save answered 204 (anything else is in Failures).
        Assert.Equal(100, report.Settings.Answers);
        Assert.All(report.Phases.Where(p => p.Name.StartsWith("save-", StringComparison.Ordinal)), p => Assert.Equal(p.Requests, p.Statuses.GetValueOrDefault("204")));
        Assert.NotNull(report.PaperShareOfCeiling);
        Assert.NotNull(report.SubmitOverPgBench);
    }

    [Fact]
    public void PgBenchSummary_IsReadWithItsFailures()
    {
        var folder = Directory.CreateTempSubdirectory("pgbench-parse-").FullName;
        try
        {
            var log = Path.Combine(folder, "tx.1");
            File.WriteAllLines(log, ["0 0 1500 0 1700000000 1", "1 0 2500 0 1700000000 2", "0 1 failed 0 1700000000 3"]);
            const string output = """
                number of transactions actually processed: 2/3
                number of failed transactions: 1 (33.333%)
                tps = 812.5 (without initial connection time)
                """;

            var result = PgBench.Parse(1, output, [log]);

            Assert.Equal(2, result.Requests);
            Assert.Equal(812.5, result.PerSecond);
            Assert.Equal(2, result.Latency.Count);
            Assert.Equal(2.5, result.Latency.MaxMs, 1);
            Assert.Equal(1, result.Statuses["failed"]);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
