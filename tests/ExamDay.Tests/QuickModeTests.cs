using ExamConsole.Api.Resilience;
using ExamConsole.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace ExamConsole.ExamDay.Tests;

/// <summary>
/// The exam-day tool against the real host on a real Kestrel port and a throwaway PostgreSQL.
/// Correctness only: how fast is the benchmarks' business, not a test's.
/// </summary>
public sealed class QuickModeTests(QuickHostFixture fixture, ITestOutputHelper output) : IClassFixture<QuickHostFixture>
{
    [Fact]
    public async Task QuickMode_AgainstRealHost_EveryTeacherFinishesWithoutServerErrorsBeyondSheddingAndNoSubmissionIsLost()
    {
        var quick = ExamDayOptions.Quick(fixture.BaseUrl);
        // Two source addresses although 500 connections fit in one: the ConnectCallback path is tested too.
        var options = quick with { Database = fixture.ConnectionString, SourceAddresses = 2 };
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(120));

        var report = await ExamDayRun.RunAsync(options, bound.Token);
        output.WriteLine(report.ToText());

        Assert.Equal(quick.Teachers, report.Teachers.Started);
        Assert.True(report.Teachers.Finished == quick.Teachers, $"{report.Teachers.Finished} of {quick.Teachers} finished: {string.Join("; ", report.Teachers.FailureReasons)}");
        // Load shedding is an answer, not a failure: the suites share two cores, and a shed request is
        // retried after its Retry-After. Any other 5xx (500, 502, 504) is a defect.
        var shed = report.Endpoints.Sum(e => e.Statuses.GetValueOrDefault("503"));
        Assert.True(report.ServerErrors == shed, $"{report.ServerErrors - shed} server errors other than a shed 503: {report.ToText()}");
        Assert.Equal(["127.0.0.2", "127.0.0.3"], report.Settings.SourceAddresses);
        var submissions = report.Submissions;
        Assert.True(submissions.CheckedInDatabase);
        Assert.Equal(quick.Teachers, submissions.Acknowledged);
        Assert.Equal(submissions.Acknowledged, submissions.FoundInDatabase);
        Assert.Equal(0, submissions.Lost);
        Assert.Equal(0, submissions.ReceiptMismatches);
        // Every endpoint of the session was played by every teacher.
        foreach (var endpoint in new[] { Endpoints.Login, Endpoints.Exams, Endpoints.Paper, Endpoints.Start, Endpoints.Submit, Endpoints.Status })
        {
            Assert.Equal(quick.Teachers, report.Endpoints.Single(e => e.Name == endpoint).Statuses.Where(s => s.Key.StartsWith('2')).Sum(s => s.Value));
        }
        Assert.Equal(quick.Teachers * quick.Rounds, report.Endpoints.Single(e => e.Name == Endpoints.Answers).Statuses.GetValueOrDefault("204"));
    }

    [Fact]
    public async Task Run_WhileSubmissionsAreQueued_CountsThemAcknowledgedAndFindsThemOnceReplayed()
    {
        const int teachers = 40;
        var resilience = fixture.Host.Services.GetRequiredService<DatabaseResilience>();
        // Teachers after the quick run's 500, so that every attempt is fresh.
        var options = ExamDayOptions.Quick(fixture.BaseUrl) with
        {
            Teachers = teachers,
            FirstTeacher = QuickHostFixture.Teachers - teachers + 1,
            Database = fixture.ConnectionString,
        };
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var run = new ExamDayRun(options);
        resilience.ForceFallback = true;
        Task<ExamDayReport> running;
        try
        {
            running = run.ExecuteAsync(bound.Token);
            // Every teacher has its 202 and a "queued" status; the look-up in PostgreSQL waits for the replay.
            await Eventually.UntilAsync(() => Task.FromResult(run.Finished + run.Failed), n => n == teachers, "every teacher done", TimeSpan.FromSeconds(60));
        }
        finally
        {
            resilience.ForceFallback = false;
        }
        var report = await running;
        output.WriteLine(report.ToText());

        Assert.Equal(teachers, report.Teachers.Finished);
        Assert.Equal(teachers, report.Submissions.Queued);
        Assert.Equal(teachers, report.Submissions.FoundInDatabase);
        Assert.Equal(0, report.Submissions.Lost);
        Assert.Equal(0, report.ServerErrors);
    }
}
