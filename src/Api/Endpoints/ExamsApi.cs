using System.Security.Claims;
using ExamConsole.Api.Contracts;
using ExamConsole.Api.Exams;
using ExamConsole.Api.Infrastructure;
using ExamConsole.Api.Submissions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace ExamConsole.Api.Endpoints;

public static class ExamsApi
{
    public static RouteGroupBuilder MapExamsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/exams").WithTags("Exams").RequireAuthorization(Extensions.TeacherPolicy);
        group.MapGet("/", ListAsync);
        group.MapGet("/{examId:int}/paper", GetPaperAsync)
            .Produces<PaperResponse>(contentType: "application/json")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{examId:int}/attempts", StartAttemptAsync);
        return group;
    }

    public static async Task<Ok<List<ExamSummary>>> ListAsync(ClaimsPrincipal user, ExamCatalog catalog, CancellationToken cancellationToken)
    {
        var teacher = TeacherAccess.Teacher(user);
        return TypedResults.Ok(await catalog.ListAsync(teacher.ExamIds, cancellationToken));
    }

    public static async Task<IResult> GetPaperAsync(int examId, ClaimsPrincipal user, ExamCatalog catalog, PaperCache papers, CancellationToken cancellationToken)
    {
        var teacher = TeacherAccess.Teacher(user);
        var exam = await catalog.FindAsync(examId, cancellationToken);
        if (TeacherAccess.CheckExam(exam, examId, teacher, catalog) is { } refused)
        {
            return refused;
        }
        var paper = await papers.GetAsync(examId, cancellationToken);
        return paper is null
            ? Problems.NotFound($"There is no exam {examId}.")
            : TypedResults.Bytes(paper.Utf8Json, "application/json");
    }

    public static async Task<Results<Created<AttemptResponse>, Ok<AttemptResponse>, ProblemHttpResult>> StartAttemptAsync(
        int examId,
        ClaimsPrincipal user,
        ExamCatalog catalog,
        AttemptService attempts,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var teacher = TeacherAccess.Teacher(user);
        var exam = await catalog.FindAsync(examId, cancellationToken);
        if (TeacherAccess.CheckExam(exam, examId, teacher, catalog) is { } refused)
        {
            return refused;
        }
        var now = time.GetUtcNow();
        var byDuration = now.AddMinutes(exam!.DurationMinutes);
        var deadline = byDuration < exam.ClosesAt ? byDuration : exam.ClosesAt;
        var (attempt, created) = await attempts.StartAsync(teacher.TeacherId, examId, now, deadline, cancellationToken);
        var response = new AttemptResponse(attempt.AttemptId, attempt.StartedAt, attempt.Deadline);
        return created
            ? TypedResults.Created($"/api/attempts/{attempt.AttemptId}", response)
            : TypedResults.Ok(response);
    }
}
