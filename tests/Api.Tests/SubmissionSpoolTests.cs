using ExamConsole.Api.Submissions;
using ExamConsole.Api.Submissions.Spool;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ExamConsole.Api.Tests;

/// <summary>The spool file on its own: what survives a restart, and that it empties itself once replayed.</summary>
public sealed class SubmissionSpoolTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "spool-test-" + Guid.NewGuid().ToString("N"));
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    private SubmissionSpool Open() => new(
        Options.Create(new SpoolOptions { Directory = _directory }),
        new HostingEnvironment { ContentRootPath = _directory },
        new SubmissionMeters(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()),
        NullLogger<SubmissionSpool>.Instance);

    private static SpooledSubmission Submission(long attemptId) =>
        new(Guid.NewGuid(), attemptId, 7, Guid.NewGuid(), DateTimeOffset.UtcNow, [1, 2], [3, 4]);

    [Fact]
    public async Task Reopened_AfterRecordsWereAcknowledged_KeepsOnlyThePendingOnes()
    {
        var kept = Submission(1);
        var done = Submission(2);
        await using (var spool = Open())
        {
            await spool.AppendAsync(kept, CancellationToken.None);
            await spool.AppendAsync(done, CancellationToken.None);
            await spool.AcknowledgeAsync([done.SubmissionId], CancellationToken.None);
        }

        await using var reopened = Open();

        Assert.Equal(1, reopened.Depth);
        Assert.True(reopened.TryGetPending(1, out var recovered));
        Assert.Equal(kept, recovered with { QuestionIds = kept.QuestionIds, OptionIds = kept.OptionIds });
        Assert.Equal([1, 2], recovered.QuestionIds);
        Assert.False(reopened.TryGetPending(2, out _));
    }

    [Fact]
    public async Task Reopened_WhenItsRecordsAreReplayed_EmptiesTheFileAndTakesNewOnes()
    {
        var first = Submission(1);
        await using (var spool = Open())
        {
            await spool.AppendAsync(first, CancellationToken.None);
        }
        await using var reopened = Open();

        await reopened.AcknowledgeAsync([first.SubmissionId], CancellationToken.None);
        Assert.Equal(0, new FileInfo(reopened.FilePath).Length);
        await reopened.AppendAsync(Submission(3), CancellationToken.None);

        Assert.Equal(1, reopened.Depth);
        Assert.True(new FileInfo(reopened.FilePath).Length > 0);
    }

    public void Dispose()
    {
        _services.Dispose();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
