using ExamConsole.Api.Auth;
using ExamConsole.Api.Contracts;
using ExamConsole.Api.Infrastructure;
using ExamConsole.Data.Stores;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace ExamConsole.Api.Endpoints;

public static class AuthApi
{
    private const int MaxFieldLength = 64;

    public static RouteGroupBuilder MapAuthApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/auth").WithTags("Teacher authentication");
        group.MapPost("/login", LoginAsync)
            .AllowAnonymous()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        return group;
    }

    public static async Task<Results<Ok<LoginResponse>, ValidationProblem, ProblemHttpResult, RetryAfterProblem>> LoginAsync(
        LoginRequest request,
        TeacherStore teachers,
        TokenService tokens,
        [FromKeyedServices(LoginThrottle.Teachers)] LoginThrottle throttle,
        TeacherPasswords passwords,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.TeacherCode) || request.TeacherCode.Length > MaxFieldLength)
        {
            errors["teacherCode"] = [$"A teacher code of 1 to {MaxFieldLength} characters is required."];
        }
        else if (request.TeacherCode.Any(char.IsControl))
        {
            // The code goes to PostgreSQL, which refuses a NUL character in text (SQLSTATE 22021): that was a 500.
            errors["teacherCode"] = ["A teacher code must not contain control characters."];
        }
        if (string.IsNullOrEmpty(request.Password) || request.Password.Length > MaxFieldLength * 4)
        {
            errors["password"] = [$"A password of 1 to {MaxFieldLength * 4} characters is required."];
        }
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }
        var code = request.TeacherCode!.Trim().ToUpperInvariant();
        if (!throttle.TryAcquire(code, out var retryAfter))
        {
            return Problems.TryLater(StatusCodes.Status429TooManyRequests, retryAfter, "Too many login attempts for this teacher code. Wait before trying again.");
        }

        var teacher = await teachers.FindLoginAsync(code, cancellationToken);
        // An unknown code still costs one hash verification, so that timing does not tell which codes exist.
        var verified = passwords.Verify(teacher?.PasswordHash, request.Password!);
        if (teacher is null || !verified)
        {
            return Problems.Unauthorized("The teacher code or the password is wrong.");
        }
        var (token, expiresAt) = tokens.IssueTeacherToken(teacher.Id, code, teacher.ExamIds);
        return TypedResults.Ok(new LoginResponse(token, expiresAt, teacher.Id));
    }
}
