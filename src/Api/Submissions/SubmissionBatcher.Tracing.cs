using System.Diagnostics;
using ExamConsole.Api.Infrastructure;

namespace ExamConsole.Api.Submissions;

/// <summary>
/// Traces of the group commit. One transaction commits the submissions of many requests, each in a
/// trace of its own. As OpenTelemetry advises for batched work, the batch is one span ("submit batch")
/// in a trace of its own, linked to every request it serves, with the database commands as its
/// children: the SQL is recorded once per batch, not once per submission. So that a submit's own trace
/// still shows where its time went without following links, each request also gets two children
/// made from the batch's timing: "submit gather" (queued until its batch closed) and "submit commit"
/// (the batch's commit, linked to the batch span).
/// </summary>
public sealed partial class SubmissionBatcher
{
    /// <summary>The span a submission was queued from (the request's) and when; null while tracing is off.</summary>
    private PendingTrace? TraceOf() =>
        ExamTracing.Source.HasListeners() && Activity.Current is { } current ? new PendingTrace(current.Context, _time.GetUtcNow()) : null;

    /// <summary>Opens the batch's span once it is gathered; null when none of its submissions is traced.</summary>
    private BatchTrace? StartBatchTrace(List<Pending> batch)
    {
        if (!ExamTracing.Source.HasListeners())
        {
            return null;
        }
        List<ActivityLink>? links = null;
        foreach (var pending in batch)
        {
            if (pending.Trace is { } trace)
            {
                (links ??= new List<ActivityLink>(batch.Count)).Add(new ActivityLink(trace.Parent));
            }
        }
        if (links is null)
        {
            return null;
        }
        var closedAt = _time.GetUtcNow();
        // No parent: the committer loop has no current activity, so the batch starts a trace of its own.
        var span = ExamTracing.Source.StartActivity(ExamTracing.BatchSpan, ActivityKind.Internal, parentContext: default, links: links, startTime: closedAt);
        span?.SetTag(ExamTracing.BatchSizeTag, batch.Count);
        return new BatchTrace(span, closedAt, _time);
    }

    private static void Failed(Activity span, Exception ex)
    {
        span.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
        span.AddException(ex);
    }

    private sealed record PendingTrace(ActivityContext Parent, DateTimeOffset QueuedAt);

    private sealed class BatchTrace(Activity? span, DateTimeOffset closedAt, TimeProvider time)
    {
        /// <summary>Closes the batch's span, then gives every traced submission its gather and commit spans.</summary>
        public void End(List<Pending> batch, Exception? error)
        {
            var endedAt = time.GetUtcNow();
            ActivityLink[]? toBatch = null;
            if (span is not null)
            {
                if (error is not null)
                {
                    Failed(span, error);
                }
                // Stopped in the flow that started it, before the children: Stop restores the committer's (empty) current activity.
                span.Stop();
                toBatch = [new ActivityLink(span.Context)];
            }
            foreach (var pending in batch)
            {
                if (pending.Trace is { } trace)
                {
                    Child(ExamTracing.GatherSpan, trace.Parent, trace.QueuedAt, closedAt, null, null, batch.Count);
                    Child(ExamTracing.CommitSpan, trace.Parent, closedAt, endedAt, toBatch, error, batch.Count);
                }
            }
        }

        // Made after the fact with the batch's times; started and stopped here, so the current activity is left as it was.
        private static void Child(string name, ActivityContext parent, DateTimeOffset start, DateTimeOffset end, ActivityLink[]? links, Exception? error, int batchSize)
        {
            using var child = ExamTracing.Source.StartActivity(name, ActivityKind.Internal, parent, links: links, startTime: start);
            if (child is null)
            {
                return;
            }
            child.SetTag(ExamTracing.BatchSizeTag, batchSize);
            if (error is not null)
            {
                Failed(child, error);
            }
            child.SetEndTime(end.UtcDateTime);
        }
    }
}
