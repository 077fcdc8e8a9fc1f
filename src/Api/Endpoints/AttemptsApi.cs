using System.Security.Claims;
using ExamConsole.Api.Contracts;
using ExamConsole.Api.Exams;
using ExamConsole.Api.Infrastructure;
using ExamConsole.Api.Resilience;
using ExamConsole.Api.Submissions;
using ExamConsole.Api.Submissions.Spool;
using ExamConsole.Data.Stores;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace ExamConsole.Api.Endpoints;

public static class AttemptsApi
{
    public static RouteGroupBuilder MapAttemptsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/attempts").WithTags("Attempts").RequireAuthorization(Extensions.TeacherPolicy);
        group.MapPut("/{attemptId:long}/answers", SaveAnswersAsync);
        group.MapPost("/{attemptId:long}/submit", SubmitAsync);
        group.MapGet("/{attemptId:long}", GetAsync);
        return group;
    }

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> SaveAnswersAsync(
        long attemptId,
        AnswersRequest request,
        ClaimsPrincipal user,
        AttemptService attempts,
        AttemptCache cache,
        PaperCache papers,
        SubmissionSpool spool,
        IOptions<ExamApiOptions> options,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (request.Answers is not { Count: > 0 } items)
        {
            return Problems.Invalid("answers", "Between 1 and all of the exam's questions must be answered.");
        }
        var teacher = TeacherAccess.Teacher(user);
        var now = time.GetUtcNow();
        var grace = options.Value.SubmitGrace;
        // As for a submit: owner, exam and deadline never change once an attempt exists, so the node's copy
        // is enough to answer early and to find the paper; the save's SQL checks owner, submission and
        // deadline again against the database. A refusal for lateness is confirmed with the database first.
        var attempt = cache.Find(attemptId);
        if (attempt is null || now > attempt.Deadline + grace)
        {
            attempt = await attempts.FindAsync(attemptId, cancellationToken);
        }
        if (TeacherAccess.CheckAttempt(attempt, attemptId, teacher) is { } refused)
        {
            return refused;
        }
        if (attempt!.SubmissionId is not null || spool.TryGetPending(attemptId, out _))
        {
            return Problems.Conflict(AlreadySubmitted);
        }
        if (now > attempt.Deadline + grace)
        {
            return Problems.Gone($"The deadline of this attempt ({attempt.Deadline:u}) has passed.");
        }
        var paper = await papers.GetAsync(attempt.ExamId, cancellationToken);
        if (paper is null)
        {
            return Problems.NotFound($"The exam of attempt {attemptId} no longer exists.");
        }
        if (items.Count > paper.QuestionCount)
        {
            return Problems.Invalid("answers", $"At most {paper.QuestionCount} answers (one per question) may be sent.");
        }
        var (answers, errors) = AnswerRules.Validate(items, paper);
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }
        var saved = await attempts.SaveAnswersAsync(attemptId, teacher.TeacherId, answers, now, grace, cancellationToken);
        return saved.Outcome switch
        {
            SaveOutcome.Saved => TypedResults.NoContent(),
            SaveOutcome.Submitted => Problems.Conflict(AlreadySubmitted),
            SaveOutcome.Late => Problems.Gone($"The deadline of this attempt ({saved.Deadline:u}) has passed."),
            SaveOutcome.NotYours => Problems.Forbidden("This attempt is not yours."),
            _ => Problems.NotFound($"There is no attempt {attemptId}."),
        };
    }

    private const string AlreadySubmitted = "This attempt was already submitted; its answers can no longer change.";

    public static async Task<Results<Ok<SubmitResponse>, Accepted<SubmitResponse>, ValidationProblem, ProblemHttpResult>> SubmitAsync(
        long attemptId,
        SubmitRequest request,
        ClaimsPrincipal user,
        SubmissionService submissions,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.SubmissionId is not { } submissionId || submissionId == Guid.Empty)
        {
            errors["submissionId"] = ["A submissionId (a UUID chosen by the client) is required."];
        }
        if (request.Answers is null)
        {
            errors["answers"] = ["The final answers are required (an empty list submits the answers saved so far)."];
        }
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }
        var teacher = TeacherAccess.Teacher(user);
        var decision = await submissions.SubmitAsync(teacher.TeacherId, attemptId, request.SubmissionId!.Value, request.Answers!, cancellationToken);
        return decision.Status switch
        {
            SubmitStatus.Recorded => TypedResults.Ok(new SubmitResponse(decision.ReceiptId!.Value, SubmitResponse.Recorded)),
            SubmitStatus.Queued => TypedResults.Accepted($"/api/attempts/{attemptId}", new SubmitResponse(decision.ReceiptId!.Value, SubmitResponse.Queued)),
            SubmitStatus.Invalid => Problems.Invalid(decision.Errors!),
            SubmitStatus.Conflict => Problems.Conflict(decision.Detail!),
            SubmitStatus.Forbidden => Problems.Forbidden(decision.Detail!),
            SubmitStatus.Gone => Problems.Gone(decision.Detail!),
            _ => Problems.NotFound(decision.Detail!),
        };
    }

    public static async Task<Results<Ok<AttemptStatusResponse>, ProblemHttpResult>> GetAsync(
        long attemptId,
        ClaimsPrincipal user,
        AttemptService attempts,
        AttemptCache cache,
        SubmissionSpool spool,
        CancellationToken cancellationToken)
    {
        var teacher = TeacherAccess.Teacher(user);
        var queued = spool.TryGetPending(attemptId, out var spooled) ? spooled : null;
        (AttemptRow Attempt, int AnsweredCount)? found;
        try
        {
            found = await attempts.GetStatusAsync(attemptId, cancellationToken);
        }
        catch (Exception ex) when (queued is not null && DatabaseResilience.IsDegradation(ex))
        {
            // The database is away but this node holds the submission: say so without it.
            if (queued.TeacherId != teacher.TeacherId)
            {
                return Problems.Forbidden("This attempt is not yours.");
            }
            var known = cache.Find(attemptId);
            return TypedResults.Ok(new AttemptStatusResponse(
                attemptId, known?.ExamId ?? 0, known?.StartedAt ?? queued.AcceptedAt, known?.Deadline ?? queued.AcceptedAt,
                queued.QuestionIds.Length, AttemptStatusResponse.Queued, queued.ReceiptId));
        }
        if (TeacherAccess.CheckAttempt(found?.Attempt, attemptId, teacher) is { } refused)
        {
            return refused;
        }
        var (attempt, answered) = found!.Value;
        var (status, receipt) = attempt.SubmissionId is not null ? (AttemptStatusResponse.Submitted, attempt.ReceiptId)
            : queued is not null ? (AttemptStatusResponse.Queued, queued.ReceiptId)
            : (AttemptStatusResponse.InProgress, (Guid?)null);
        return TypedResults.Ok(new AttemptStatusResponse(attempt.AttemptId, attempt.ExamId, attempt.StartedAt, attempt.Deadline, answered, status, receipt));
    }
}
