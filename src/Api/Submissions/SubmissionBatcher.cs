using System.Diagnostics;
using System.Threading.Channels;
using ExamConsole.Api.Exams;
using ExamConsole.Api.Infrastructure;
using ExamConsole.Api.Resilience;
using ExamConsole.Data.Stores;
using Microsoft.Extensions.Options;

namespace ExamConsole.Api.Submissions;

/// <summary>
/// Group commit: concurrent submissions are gathered into one transaction (at most
/// <see cref="SubmitOptions.MaxBatch"/>, waiting at most <see cref="SubmitOptions.MaxWait"/> for
/// more), and each caller returns only once its own row is committed. With group commit off,
/// each submission is its own transaction (same SQL, batch of one). When tracing is on, each
/// submission's trace shows its gather and its commit, and each batch has a span of its own
/// (<see cref="SubmissionBatcher"/>.Tracing.cs).
/// </summary>
public sealed partial class SubmissionBatcher : IAsyncDisposable
{
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>();
    private readonly SubmissionStore _store;
    private readonly DatabaseResilience _resilience;
    private readonly SubmissionMeters _meters;
    private readonly SubmitOptions _options;
    private readonly TimeProvider _time;
    private readonly TimeSpan _grace;
    private readonly Task[] _committers;

    public SubmissionBatcher(SubmissionStore store, DatabaseResilience resilience, SubmissionMeters meters, IOptions<SubmitOptions> options, IOptions<ExamApiOptions> apiOptions, TimeProvider time)
    {
        _store = store;
        _grace = apiOptions.Value.SubmitGrace;
        _resilience = resilience;
        _meters = meters;
        _options = options.Value;
        _time = time;
        _committers = Enumerable.Range(0, _options.Committers).Select(_ => Task.Run(CommitLoopAsync)).ToArray();
    }

    /// <summary>Records the submission; returns once it is committed (or throws what the database threw).</summary>
    public async Task<WriteResult> SubmitAsync(AcceptedSubmission request, CancellationToken cancellationToken)
    {
        if (!_options.GroupCommit)
        {
            // Its own transaction, in the request's flow: the commit span is simply the request's child.
            using var commit = ExamTracing.Source.StartActivity(ExamTracing.CommitSpan);
            commit?.SetTag(ExamTracing.BatchSizeTag, 1);
            try
            {
                var single = await WriteAsync([request], cancellationToken);
                return single[0];
            }
            catch (Exception ex) when (commit is not null)
            {
                Failed(commit, ex);
                throw;
            }
        }
        var pending = new Pending(request, TraceOf());
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(SubmissionBatcher));
        }
        return await pending.Done.Task.WaitAsync(cancellationToken);
    }

    private Task<WriteResult[]> WriteAsync(IReadOnlyList<AcceptedSubmission> batch, CancellationToken cancellationToken)
    {
        _meters.BatchSize.Record(batch.Count);
        // Idempotent on submissionId, so a transient failure may be retried. Live submissions are held to the deadline plus grace.
        return _resilience.Idempotent.ExecuteAsync(
            static async (state, ct) => await state.Store.WriteAsync(state.Batch, state.Grace, ct),
            (Store: _store, Batch: batch, Grace: _grace),
            cancellationToken).AsTask();
    }

    private async Task CommitLoopAsync()
    {
        // The committers were started from whichever flow built this singleton (a request, often): its
        // activity must not become the parent of every batch this loop commits.
        Activity.Current = null;
        var reader = _queue.Reader;
        var batch = new List<Pending>(_options.MaxBatch);
        while (await reader.WaitToReadAsync())
        {
            batch.Clear();
            if (!reader.TryRead(out var first))
            {
                continue;
            }
            batch.Add(first);
            await GatherAsync(reader, batch);
            var trace = StartBatchTrace(batch);
            try
            {
                var results = await WriteAsync(batch.Select(p => p.Request).ToList(), CancellationToken.None);
                trace?.End(batch, null);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Done.TrySetResult(results[i]);
                }
            }
            catch (Exception ex)
            {
                trace?.End(batch, ex);
                foreach (var pending in batch)
                {
                    pending.Done.TrySetException(ex);
                }
            }
        }
    }

    private async Task GatherAsync(ChannelReader<Pending> reader, List<Pending> batch)
    {
        var deadline = _time.GetTimestamp() + (long)(_options.MaxWait.TotalSeconds * _time.TimestampFrequency);
        while (batch.Count < _options.MaxBatch)
        {
            if (reader.TryRead(out var next))
            {
                batch.Add(next);
                continue;
            }
            var remaining = deadline - _time.GetTimestamp();
            if (remaining <= 0)
            {
                return;
            }
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds((double)remaining / _time.TimestampFrequency), _time);
            try
            {
                if (!await reader.WaitToReadAsync(wait.Token))
                {
                    return;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await Task.WhenAll(_committers);
    }

    private sealed record Pending(AcceptedSubmission Request, PendingTrace? Trace)
    {
        public TaskCompletionSource<WriteResult> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
