using System.Collections.Concurrent;
using System.Threading.Channels;
using ExamConsole.Data.Stores;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ExamConsole.Api.Submissions.Spool;

/// <summary>
/// The durable fallback of the submission path: an append-only file on this node's disk. A
/// submission is answered 202 only after its record was written and fsync'd. Records that reached
/// PostgreSQL are acknowledged by a later record; once nothing is pending the file is emptied. On
/// start the file is read back, a torn tail (a crash in the middle of a write) is detected, set
/// aside and skipped, and everything before it is kept.
/// </summary>
public sealed partial class SubmissionSpool : IAsyncDisposable
{
    public const string FileName = "submissions.spool";

    private readonly Channel<Write> _writes = Channel.CreateUnbounded<Write>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<Guid, AcceptedSubmission> _pending = new();
    private readonly ConcurrentDictionary<long, AcceptedSubmission> _byAttempt = new();
    private readonly ILogger<SubmissionSpool> _logger;
    private readonly SubmissionMeters _meters;
    private readonly FileStream _file;
    private readonly Task _writer;

    public SubmissionSpool(IOptions<SpoolOptions> options, IHostEnvironment environment, SubmissionMeters meters, ILogger<SubmissionSpool> logger)
    {
        _logger = logger;
        _meters = meters;
        var directory = Path.IsPathRooted(options.Value.Directory)
            ? options.Value.Directory
            : Path.Combine(environment.ContentRootPath, options.Value.Directory);
        Directory.CreateDirectory(directory);
        FilePath = Path.Combine(directory, FileName);
        Recover();
        meters.Meter.CreateObservableGauge("examconsole.spool.depth", () => Depth, "{submission}", "Submissions in the spool not yet in PostgreSQL");
        meters.Meter.CreateObservableGauge("examconsole.spool.oldest_age", () => OldestAcceptedAt is { } at ? (DateTimeOffset.UtcNow - at).TotalSeconds : 0, "s", "Age of the oldest spooled submission");
        // Not FileMode.Append: a file opened for appending refuses to be truncated below its length at
        // open, and the spool empties itself once everything in it has reached PostgreSQL.
        _file = new FileStream(FilePath, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read, bufferSize: 64 * 1024);
        _file.Seek(0, SeekOrigin.End);
        _writer = Task.Run(WriteLoopAsync);
    }

    public string FilePath { get; }

    /// <summary>Submissions on disk not yet in PostgreSQL.</summary>
    public int Depth => _pending.Count;

    /// <summary>When the oldest pending submission was accepted.</summary>
    public DateTimeOffset? OldestAcceptedAt => _pending.IsEmpty ? null : _pending.Values.Min(s => s.AcceptedAt);

    public bool TryGetPending(long attemptId, out AcceptedSubmission submission) => _byAttempt.TryGetValue(attemptId, out submission!);

    /// <summary>The pending submissions, oldest first.</summary>
    public IReadOnlyList<AcceptedSubmission> Pending(int limit) =>
        _pending.Values.OrderBy(s => s.AcceptedAt).Take(limit).ToList();

    /// <summary>Writes the submission and returns once it is on disk (fsync).</summary>
    public async Task AppendAsync(AcceptedSubmission submission, CancellationToken cancellationToken)
    {
        var write = new Write(SpoolFile.Encode(new SpoolRecord(submission, null)), submission, null);
        await EnqueueAsync(write, cancellationToken);
        _meters.Spooled.Add(1);
    }

    /// <summary>Records that these submissions reached PostgreSQL; they leave the spool.</summary>
    public async Task AcknowledgeAsync(IReadOnlyCollection<Guid> submissionIds, CancellationToken cancellationToken)
    {
        if (submissionIds.Count == 0)
        {
            return;
        }
        var bytes = submissionIds.SelectMany(id => SpoolFile.Encode(new SpoolRecord(null, id))).ToArray();
        await EnqueueAsync(new Write(bytes, null, submissionIds), cancellationToken);
        _meters.Replayed.Add(submissionIds.Count);
    }

    /// <summary>Longest a caller waits for its record to be on disk; past it the caller fails (503) rather than hangs.</summary>
    public static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(30);

    private async Task EnqueueAsync(Write write, CancellationToken cancellationToken)
    {
        if (!_writes.Writer.TryWrite(write))
        {
            throw new ObjectDisposedException(nameof(SubmissionSpool));
        }
        // The write goes ahead even if this caller stops waiting: once queued, it is made durable.
        await write.Done.Task.WaitAsync(WriteTimeout, cancellationToken);
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Write>();
        while (await _writes.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (_writes.Reader.TryRead(out var write))
            {
                batch.Add(write);
            }
            try
            {
                foreach (var write in batch)
                {
                    await _file.WriteAsync(write.Bytes);
                }
                // One fsync for every record that arrived meanwhile.
                _file.Flush(flushToDisk: true);
            }
            catch (Exception ex)
            {
                // Whatever went wrong, the loop lives on: these callers fail, later ones are tried afresh.
                LogWriteFailed(ex);
                foreach (var write in batch)
                {
                    write.Done.TrySetException(ex);
                }
                continue;
            }
            foreach (var write in batch)
            {
                if (write.Submission is { } submission)
                {
                    _pending[submission.SubmissionId] = submission;
                    _byAttempt[submission.AttemptId] = submission;
                }
                foreach (var id in write.Acknowledged ?? [])
                {
                    if (_pending.TryRemove(id, out var done))
                    {
                        _byAttempt.TryRemove(new KeyValuePair<long, AcceptedSubmission>(done.AttemptId, done));
                    }
                }
                write.Done.TrySetResult();
            }
            if (_pending.IsEmpty && _file.Length > 0)
            {
                try
                {
                    // Everything reached PostgreSQL: start the file afresh so it never grows without bound.
                    _file.SetLength(0);
                    _file.Flush(flushToDisk: true);
                }
                catch (IOException ex)
                {
                    LogWriteFailed(ex);
                }
            }
        }
    }

    private void Recover()
    {
        var (records, validLength) = SpoolFile.Read(FilePath);
        foreach (var record in records)
        {
            if (record.Submission is { } submission)
            {
                _pending[submission.SubmissionId] = submission;
                _byAttempt[submission.AttemptId] = submission;
            }
            else if (record.Replayed is { } id && _pending.TryRemove(id, out var done))
            {
                _byAttempt.TryRemove(new KeyValuePair<long, AcceptedSubmission>(done.AttemptId, done));
            }
        }
        var length = File.Exists(FilePath) ? new FileInfo(FilePath).Length : 0;
        if (validLength < length)
        {
            // Keep the damaged bytes for inspection, and carry on from the last whole record.
            var aside = $"{FilePath}.torn-{DateTime.UtcNow:yyyyMMddHHmmss}";
            File.Copy(FilePath, aside, overwrite: true);
            using (var truncate = new FileStream(FilePath, FileMode.Open, FileAccess.Write))
            {
                truncate.SetLength(validLength);
                truncate.Flush(flushToDisk: true);
            }
            _meters.TornRecords.Add(1);
            LogTorn(length - validLength, validLength, aside);
        }
        if (!_pending.IsEmpty)
        {
            LogRecovered(_pending.Count, FilePath);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _writes.Writer.TryComplete();
        await _writer;
        await _file.DisposeAsync();
    }

    private sealed record Write(byte[] Bytes, AcceptedSubmission? Submission, IReadOnlyCollection<Guid>? Acknowledged)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not write to the submission spool")]
    private partial void LogWriteFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The spool ended in a torn record ({Bytes} bytes after offset {Offset}): skipped, the whole records before it are kept; the damaged file is copied to {Aside}")]
    private partial void LogTorn(long bytes, long offset, string aside);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} spooled submission(s) found in {Path}: they will be replayed into PostgreSQL")]
    private partial void LogRecovered(int count, string path);
}
