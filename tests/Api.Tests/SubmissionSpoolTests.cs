using ExamConsole.Api.Submissions;
using ExamConsole.Api.Submissions.Spool;
using ExamConsole.Data.Stores;
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

    private static AcceptedSubmission Submission(long attemptId) =>
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

    // A submission and an acknowledgement as the spool wrote them before the spool and the store shared
    // one record type (SpooledSubmission): nodes upgraded with a full spool must still replay it.
    private const string WrittenSubmission =
        """{"Submission":{"SubmissionId":"0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b","AttemptId":41,"TeacherId":7,"ReceiptId":"0193a1b2-c3d4-7e5f-8a9b-ffffffffffff","AcceptedAt":"2026-12-01T09:30:15.25+00:00","QuestionIds":[11,12],"OptionIds":[31,42]},"Replayed":null}""";

    private const string WrittenAcknowledgement = """{"Submission":null,"Replayed":"0193a1b2-c3d4-7e5f-8a9b-000000000002"}""";

    private static byte[] Framed(string json)
    {
        var payload = System.Text.Encoding.UTF8.GetBytes(json);
        var bytes = new byte[SpoolFile.HeaderSize + payload.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)payload.Length);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), System.IO.Hashing.Crc32.HashToUInt32(payload));
        payload.CopyTo(bytes, SpoolFile.HeaderSize);
        return bytes;
    }

    [Fact]
    public async Task Reopened_OnAFileWrittenByTheEarlierRecordType_RecoversEveryFieldForReplay()
    {
        Directory.CreateDirectory(_directory);
        var pendingAcknowledged = WrittenSubmission
            .Replace("0c1d2e3f4a5b", "000000000002", StringComparison.Ordinal)
            .Replace("\"AttemptId\":41", "\"AttemptId\":42", StringComparison.Ordinal);
        await File.WriteAllBytesAsync(
            Path.Combine(_directory, SubmissionSpool.FileName),
            [.. Framed(WrittenSubmission), .. Framed(pendingAcknowledged), .. Framed(WrittenAcknowledgement)]);

        await using var spool = Open();

        Assert.Equal(1, spool.Depth);
        Assert.False(spool.TryGetPending(42, out _));
        var recovered = Assert.Single(spool.Pending(10));
        Assert.Equal(Guid.Parse("0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"), recovered.SubmissionId);
        Assert.Equal(41, recovered.AttemptId);
        Assert.Equal(7, recovered.TeacherId);
        Assert.Equal(Guid.Parse("0193a1b2-c3d4-7e5f-8a9b-ffffffffffff"), recovered.ReceiptId);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 9, 30, 15, 250, TimeSpan.Zero), recovered.AcceptedAt);
        Assert.Equal([11, 12], recovered.QuestionIds);
        Assert.Equal([31, 42], recovered.OptionIds);
        Assert.Empty(Directory.GetFiles(_directory, SubmissionSpool.FileName + ".torn-*"));
    }

    [Fact]
    public void Encode_TheSubmissionRecord_WritesTheSameBytesAsTheEarlierRecordType()
    {
        var submission = new AcceptedSubmission(
            Guid.Parse("0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"),
            41,
            7,
            Guid.Parse("0193a1b2-c3d4-7e5f-8a9b-ffffffffffff"),
            new DateTimeOffset(2026, 12, 1, 9, 30, 15, 250, TimeSpan.Zero),
            [11, 12],
            [31, 42]);

        Assert.Equal(Framed(WrittenSubmission), SpoolFile.Encode(new SpoolRecord(submission, null)));
        Assert.Equal(Framed(WrittenAcknowledgement), SpoolFile.Encode(new SpoolRecord(null, Guid.Parse("0193a1b2-c3d4-7e5f-8a9b-000000000002"))));
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
