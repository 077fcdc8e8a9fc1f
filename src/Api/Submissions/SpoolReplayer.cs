using ExamConsole.Api.Resilience;
using ExamConsole.Api.Submissions.Spool;
using ExamConsole.Data.Stores;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ExamConsole.Api.Submissions;

/// <summary>
/// Drains the spool into PostgreSQL once the database takes work again, idempotently on
/// submissionId: a queued submission becomes submitted without any call from its client. It
/// holds back while an operator keeps the circuit open or forces the fallback; an operator's
/// drain runs regardless of the forced fallback.
/// </summary>
public sealed partial class SpoolReplayer(
    SubmissionSpool spool,
    SubmissionStore store,
    DatabaseResilience resilience,
    SubmissionMeters meters,
    IOptions<SpoolOptions> options,
    TimeProvider time,
    ILogger<SpoolReplayer> logger) : BackgroundService
{
    private readonly SemaphoreSlim _draining = new(1, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ReplayInterval, time);
        do
        {
            if (spool.Depth == 0 || resilience.SpoolOnly)
            {
                continue;
            }
            try
            {
                await DrainAsync(stoppingToken);
            }
            catch (Exception ex) when (DatabaseResilience.IsDegradation(ex))
            {
                // Still degraded; the next turn tries again (the circuit breaker paces the tries).
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogReplayFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Replays everything in the spool now; returns how many submissions reached PostgreSQL.</summary>
    public async Task<int> DrainAsync(CancellationToken cancellationToken)
    {
        await _draining.WaitAsync(cancellationToken);
        try
        {
            var total = 0;
            while (spool.Pending(options.Value.ReplayBatch) is { Count: > 0 } batch)
            {
                var results = await resilience.Idempotent.ExecuteAsync(
                    // No deadline on replay: a submission acknowledged with 202 is recorded whenever it arrives.
                    static async (state, ct) => await state.store.WriteAsync(state.batch, grace: null, ct),
                    (store, batch),
                    cancellationToken);
                for (var i = 0; i < results.Length; i++)
                {
                    if (results[i].Outcome == WriteOutcome.Rejected)
                    {
                        meters.Rejected.Add(1);
                        LogRejected(batch[i].SubmissionId, batch[i].AttemptId, batch[i].TeacherId);
                    }
                    else if (results[i].Outcome == WriteOutcome.Conflict)
                    {
                        LogConflict(batch[i].SubmissionId, batch[i].AttemptId);
                    }
                }
                await spool.AcknowledgeAsync(batch.Select(s => s.SubmissionId).ToList(), cancellationToken);
                total += batch.Count;
            }
            if (total > 0)
            {
                LogDrained(total);
            }
            return total;
        }
        finally
        {
            _draining.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Replayed {Count} spooled submission(s) into PostgreSQL")]
    private partial void LogDrained(int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Spooled submission {SubmissionId} names attempt {AttemptId}, which is not teacher {TeacherId}'s: PostgreSQL refused it")]
    private partial void LogRejected(Guid submissionId, long attemptId, int teacherId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Spooled submission {SubmissionId}: attempt {AttemptId} already holds another submission; the attempt stays submitted with that one")]
    private partial void LogConflict(Guid submissionId, long attemptId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Spool replay failed")]
    private partial void LogReplayFailed(Exception exception);
}
