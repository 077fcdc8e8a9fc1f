using ExamConsole.Testing;
using Xunit.Abstractions;

namespace ExamConsole.RunCommand.Tests;

/// <summary>
/// The README's run command, with its defaults, as a newcomer meets it on a clean clone: it comes
/// up with the whole demo data set (40,000 teachers, 10 exams each), stops cleanly on SIGTERM with
/// its PostgreSQL, and a second start answers the same.
/// </summary>
/// <remarks>
/// On CI's clean clone the first start seeds from nothing. On a developer's machine that already
/// holds .data/pg both starts reuse it (the output says which). It needs ports 5080 and 15432 free:
/// stop a running ./run.sh first. Times are printed, not asserted: the benchmarks own speed.
/// </remarks>
[Trait("Category", Category)]
public sealed class RunCommandTests(ITestOutputHelper output)
{
    /// <summary>./test.sh runs this category on its own, after the other suites: it takes the default ports and two cores.</summary>
    public const string Category = "RunCommand";

    private static readonly TimeSpan ReadyWithin = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan StopWithin = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task RunScript_WithDefaults_ServesEveryTeacherTheirExamsStopsOnSigtermAndStartsAgain()
    {
        Assert.False(RunScript.Listening(RunScript.HostPort), $"Port {RunScript.HostPort} is in use: stop ./run.sh (or whatever holds it) before the test run.");
        Assert.False(RunScript.Listening(RunScript.PostgresPort), $"Port {RunScript.PostgresPort} is in use: stop the cluster of ./run.sh before the test run.");
        var dataDirectory = Path.Combine(RunScript.Root, ".data", "pg");
        var fresh = !Directory.Exists(dataDirectory);
        var logDirectory = Path.Combine(RunScript.Root, "TestResults", "run-command");
        Directory.CreateDirectory(logDirectory);
        output.WriteLine(fresh ? "First start on a clean clone: no .data/pg yet, so it seeds the default data set." : ".data/pg exists already: both starts reuse it.");

        for (var start = 1; start <= 2; start++)
        {
            await using var script = RunScript.Start(Path.Combine(logDirectory, $"start-{start}.log"));
            await script.WaitUntilReadyAsync(ReadyWithin);
            var ready = script.Elapsed;

            Assert.Equal(10, await DemoTeachers.ExamCountAsync(new Uri(RunScript.Address), 1));
            Assert.Equal(10, await DemoTeachers.ExamCountAsync(new Uri(RunScript.Address), 40_000));
            if (start == 1 && fresh)
            {
                Assert.Contains(script.Output, line => line.Contains("Demo data ready: 40000 teachers, 10 exams, 400000 assignments", StringComparison.Ordinal));
            }
            else
            {
                Assert.Contains(script.Output, line => line.Contains("Demo data present: 40000 teachers, 10 exams, 400000 assignments", StringComparison.Ordinal));
            }

            var exitCode = await script.TerminateAsync(StopWithin);
            Assert.True(exitCode == 0, $"./run.sh exited with {exitCode} on SIGTERM. Its last lines:\n{script.Tail()}");
            // PostgreSQL removes its pid file when it has shut down; a cluster left running would keep it.
            Assert.False(File.Exists(Path.Combine(dataDirectory, "postmaster.pid")), "The local PostgreSQL was left running after the host stopped.");
            Assert.False(RunScript.Listening(RunScript.PostgresPort), "Something still listens on the local PostgreSQL's port.");
            output.WriteLine($"Start {start}: ready after {ready.TotalSeconds:F1} s (build included), stopped after {script.Elapsed.TotalSeconds:F1} s.");
            foreach (var line in script.Output.Where(l => l.Contains("Demo data", StringComparison.Ordinal) || l.Contains("Time Elapsed", StringComparison.Ordinal) || l.Contains("warmed", StringComparison.Ordinal)))
            {
                output.WriteLine("  " + line.Trim());
            }
        }
    }
}
