using System.Security.Claims;
using ExamConsole.Api.Contracts;
using ExamConsole.Api.Exams;
using ExamConsole.Api.Infrastructure;
using ExamConsole.Api.Submissions;
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
        AttemptStore attempts,
        PaperCache papers,
        IOptions<ExamApiOptions> options,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (request.Answers is not { Count: > 0 } items)
        {
            return Problems.Invalid("answers", "Between 1 and all of the exam's questions must be answered.");
        }
        var teacher = TeacherAccess.Teacher(user);
        var attempt = await attempts.FindAsync(attemptId, cancellationToken);
        if (TeacherAccess.CheckAttempt(attempt, attemptId, teacher) is { } refused)
        {
            return refused;
        }
        if (attempt!.SubmissionId is not null)
        {
            return Problems.Conflict("This attempt was already submitted; its answers can no longer change.");
        }
        var now = time.GetUtcNow();
        if (now > attempt.Deadline + options.Value.SubmitGrace)
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
        var (answers, errors) = TeacherAccess.ValidateAnswers(items, paper);
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }
        if (!await attempts.SaveAnswersAsync(attemptId, answers, now, cancellationToken))
        {
            return Problems.Conflict("This attempt was already submitted; its answers can no longer change.");
        }
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<SubmitResponse>, ValidationProblem, ProblemHttpResult>> SubmitAsync(
        long attemptId,
        SubmitRequest request,
        ClaimsPrincipal user,
        AttemptStore attempts,
        SubmissionService submissions,
        PaperCache papers,
        IOptions<ExamApiOptions> options,
        TimeProvider time,
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
        var attempt = await attempts.FindAsync(attemptId, cancellationToken);
        if (TeacherAccess.CheckAttempt(attempt, attemptId, teacher) is { } refused)
        {
            return refused;
        }
        // A repeated submit answers the same receipt, whatever happened in between (deadline included).
        if (attempt!.SubmissionId is { } existing)
        {
            return existing == request.SubmissionId
                ? TypedResults.Ok(new SubmitResponse(attempt.ReceiptId!.Value, SubmitResponse.Recorded))
                : Problems.Conflict("This attempt was already submitted with another submissionId.");
        }
        var now = time.GetUtcNow();
        if (now > attempt.Deadline + options.Value.SubmitGrace)
        {
            return Problems.Gone($"The deadline of this attempt ({attempt.Deadline:u}) has passed.");
        }
        var paper = await papers.GetAsync(attempt.ExamId, cancellationToken);
        if (paper is null)
        {
            return Problems.NotFound($"The exam of attempt {attemptId} no longer exists.");
        }
        if (request.Answers!.Count > paper.QuestionCount)
        {
            return Problems.Invalid("answers", $"At most {paper.QuestionCount} answers (one per question) may be sent.");
        }
        var (answers, answerErrors) = TeacherAccess.ValidateAnswers(request.Answers, paper);
        if (answerErrors.Count > 0)
        {
            return Problems.Invalid(answerErrors);
        }
        var result = await submissions.SubmitAsync(attemptId, request.SubmissionId!.Value, answers, now, cancellationToken);
        return result.Outcome == SubmitOutcome.Recorded
            ? TypedResults.Ok(new SubmitResponse(result.ReceiptId!.Value, SubmitResponse.Recorded))
            : Problems.Conflict("This attempt was already submitted with another submissionId, or this submissionId belongs to another attempt.");
    }

    public static async Task<Results<Ok<AttemptStatusResponse>, ProblemHttpResult>> GetAsync(
        long attemptId,
        ClaimsPrincipal user,
        AttemptStore attempts,
        CancellationToken cancellationToken)
    {
        var teacher = TeacherAccess.Teacher(user);
        var found = await attempts.GetStatusAsync(attemptId, cancellationToken);
        if (TeacherAccess.CheckAttempt(found?.Attempt, attemptId, teacher) is { } refused)
        {
            return refused;
        }
        var (attempt, answered) = found!.Value;
        return TypedResults.Ok(new AttemptStatusResponse(
            attempt.AttemptId,
            attempt.ExamId,
            attempt.StartedAt,
            attempt.Deadline,
            answered,
            attempt.SubmissionId is null ? AttemptStatusResponse.InProgress : AttemptStatusResponse.Submitted,
            attempt.ReceiptId));
    }
}
