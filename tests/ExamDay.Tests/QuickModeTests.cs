using ExamConsole.Testing;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace ExamConsole.ExamDay.Tests;

/// <summary>
/// The exam-day tool's quick mode against the real host on a real Kestrel port and a throwaway
/// PostgreSQL. Correctness only: how fast is the benchmarks' business, not a test's.
/// </summary>
public sealed class QuickModeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task QuickMode_AgainstRealHost_EveryTeacherFinishesWithoutServerErrorsAndNoSubmissionIsLost()
    {
        await using var postgres = await TestPostgres.StartAsync("examday");
        await using var host = new ExamHostFactory(postgres.ConnectionString);
        var quick = ExamDayOptions.Quick(new Uri("http://127.0.0.1"));
        host.Settings["Seed:Teachers"] = quick.Teachers.ToString(System.Globalization.CultureInfo.InvariantCulture);
        host.UseKestrel(0);
        host.StartServer();
        var address = host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        // Two source addresses although 500 connections fit in one: the ConnectCallback path is tested too.
        var options = quick with { BaseUrl = new Uri(address), Database = postgres.ConnectionString, SourceAddresses = 2 };
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var report = await ExamDayRun.RunAsync(options, bound.Token);
        output.WriteLine(report.ToText());

        Assert.Equal(quick.Teachers, report.Teachers.Started);
        Assert.True(report.Teachers.Finished == quick.Teachers, $"{report.Teachers.Finished} of {quick.Teachers} finished: {string.Join("; ", report.Teachers.FailureReasons)}");
        Assert.Equal(0, report.ServerErrors);
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
}
