using ExamConsole.Api.Contracts;
using ExamConsole.Api.Exams;
using ExamConsole.Api.Resilience;
using ExamConsole.Api.Submissions.Spool;
using ExamConsole.Data.Stores;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ExamConsole.Api.Submissions;

/// <summary>How a submit ended, and what the client is told.</summary>
public enum SubmitStatus
{
    Recorded,
    Queued,
    Conflict,
    NotFound,
    Forbidden,
    Gone,
    Invalid,
}

public sealed record SubmitDecision(SubmitStatus Status, Guid? ReceiptId = null, string? Detail = null, Dictionary<string, string[]>? Errors = null);

/// <summary>
/// The submission path: checks the attempt, commits through the group-commit batcher, and when the
/// database is degraded (circuit open, pool exhausted, commit failing, or fallback forced by an
/// operator) makes the submission durable in the local spool first and answers 202 queued.
/// A submission that got 200 or 202 is never lost.
/// </summary>
public sealed partial class SubmissionService(
    AttemptService attempts,
    AttemptCache cache,
    PaperCache papers,
    SubmissionBatcher batcher,
    SubmissionSpool spool,
    DatabaseResilience resilience,
    SubmissionMeters meters,
    IOptions<ExamApiOptions> apiOptions,
    TimeProvider time,
    ILogger<SubmissionService> logger)
{
    public async Task<SubmitDecision> SubmitAsync(int teacherId, long attemptId, Guid submissionId, IReadOnlyList<AnswerItem?> items, CancellationToken cancellationToken)
    {
        if (spool.TryGetPending(attemptId, out var spooled))
        {
            return spooled.TeacherId != teacherId ? new SubmitDecision(SubmitStatus.Forbidden, Detail: "This attempt is not yours.")
                : spooled.SubmissionId == submissionId ? new SubmitDecision(SubmitStatus.Queued, spooled.ReceiptId)
                : new SubmitDecision(SubmitStatus.Conflict, Detail: "This attempt was already submitted with another submissionId.");
        }

        var degraded = resilience.SpoolOnly;
        var now = time.GetUtcNow();
        // Owner, exam and deadline never change once an attempt exists, so the copy this node keeps (from the
        // start, or an earlier read) is enough to check a live submit: the batch's SQL checks ownership and the
        // deadline again against the database, and finds an earlier submission of the attempt. That saves a
        // round trip per submission. Only a refusal for lateness is confirmed with the database first (an
        // operator may have moved the deadline).
        var attempt = cache.Find(attemptId);
        if (!degraded && (attempt is null || IsLate(attempt, now)))
        {
            try
            {
                attempt = await attempts.FindAsync(attemptId, cancellationToken);
                if (attempt is null)
                {
                    return new SubmitDecision(SubmitStatus.NotFound, Detail: $"There is no attempt {attemptId}.");
                }
            }
            catch (Exception ex) when (DatabaseResilience.IsDegradation(ex))
            {
                // The node's copy, if it has one, is still in attempt.
                degraded = true;
            }
        }

        Paper? paper = null;
        if (attempt is not null)
        {
            if (attempt.TeacherId != teacherId)
            {
                return new SubmitDecision(SubmitStatus.Forbidden, Detail: "This attempt is not yours.");
            }
            // A repeated submit answers the same receipt, whatever happened in between (deadline included).
            if (attempt.SubmissionId is { } existing)
            {
                return existing == submissionId
                    ? new SubmitDecision(SubmitStatus.Recorded, attempt.ReceiptId)
                    : new SubmitDecision(SubmitStatus.Conflict, Detail: "This attempt was already submitted with another submissionId.");
            }
            if (IsLate(attempt, now))
            {
                return Late(attempt.Deadline);
            }
            paper = papers.TryGetCached(attempt.ExamId);
            if (paper is null && !degraded)
            {
                try
                {
                    paper = await papers.GetAsync(attempt.ExamId, cancellationToken);
                }
                catch (Exception ex) when (DatabaseResilience.IsDegradation(ex))
                {
                    degraded = true;
                }
            }
        }

        var answers = Validate(items, paper, out var invalid);
        if (invalid is not null)
        {
            return invalid;
        }

        var submission = new AcceptedSubmission(
            submissionId,
            attemptId,
            teacherId,
            Guid.CreateVersion7(now),
            now,
            answers.Select(a => a.QuestionId).ToArray(),
            answers.Select(a => a.OptionId).ToArray());

        if (!degraded)
        {
            try
            {
                var result = await batcher.SubmitAsync(submission, cancellationToken);
                switch (result.Outcome)
                {
                    case WriteOutcome.Recorded:
                        meters.Recorded.Add(1);
                        // The node's copy learns the submission: a repeat answers its receipt, even while the database is away.
                        if (attempt is not null)
                        {
                            cache.Remember(attempt with { SubmissionId = submissionId, ReceiptId = result.ReceiptId });
                        }
                        return new SubmitDecision(SubmitStatus.Recorded, result.ReceiptId);
                    case WriteOutcome.Conflict:
                        return new SubmitDecision(SubmitStatus.Conflict, Detail: "This attempt was already submitted with another submissionId, or this submissionId belongs to another attempt.");
                    case WriteOutcome.Gone:
                        return Late(null);
                    default:
                        return new SubmitDecision(SubmitStatus.NotFound, Detail: $"There is no attempt {attemptId} of yours.");
                }
            }
            catch (Exception ex) when (DatabaseResilience.IsDegradation(ex))
            {
                LogFallingBack(attemptId, ex.GetType().Name, ex.Message);
            }
        }

        await spool.AppendAsync(submission, cancellationToken);
        return new SubmitDecision(SubmitStatus.Queued, submission.ReceiptId);
    }

    private bool IsLate(AttemptRow attempt, DateTimeOffset now) => now > attempt.Deadline + apiOptions.Value.SubmitGrace;

    private static SubmitDecision Late(DateTimeOffset? deadline) =>
        new(SubmitStatus.Gone, Detail: deadline is { } d ? $"The deadline of this attempt ({d:u}) has passed." : "The deadline of this attempt has passed.");

    /// <summary>Checks the answers against the paper when it is known; without it (database away) PostgreSQL checks them on replay.</summary>
    private static List<(int QuestionId, int OptionId)> Validate(IReadOnlyList<AnswerItem?> items, Paper? paper, out SubmitDecision? invalid)
    {
        invalid = null;
        if (paper is not null)
        {
            if (items.Count > paper.QuestionCount)
            {
                invalid = new SubmitDecision(SubmitStatus.Invalid, Errors: new() { ["answers"] = [$"At most {paper.QuestionCount} answers (one per question) may be sent."] });
                return [];
            }
            var (checkedAnswers, errors) = AnswerRules.Validate(items, paper);
            if (errors.Count > 0)
            {
                invalid = new SubmitDecision(SubmitStatus.Invalid, Errors: errors);
            }
            return checkedAnswers;
        }
        var (answers, shapeErrors) = AnswerRules.Validate(items, paper: null);
        if (shapeErrors.Count > 0)
        {
            invalid = new SubmitDecision(SubmitStatus.Invalid, Errors: shapeErrors);
        }
        return answers;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Submission of attempt {AttemptId} goes to the spool: {ExceptionType}: {Message}")]
    private partial void LogFallingBack(long attemptId, string exceptionType, string message);
}
