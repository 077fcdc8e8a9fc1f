using ExamConsole.Api.Auth;
using ExamConsole.Api.Contracts;
using ExamConsole.Api.Infrastructure;
using ExamConsole.Data;
using ExamConsole.Data.Entities;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

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
        ExamDb db,
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

        var teacher = await FindTeacherAsync(db, code, cancellationToken);
        // An unknown code still costs one hash verification, so that timing does not tell which codes exist.
        var verified = passwords.Verify(teacher?.PasswordHash, request.Password!);
        if (teacher is null || !verified)
        {
            return Problems.Unauthorized("The teacher code or the password is wrong.");
        }
        var (token, expiresAt) = tokens.IssueTeacherToken(teacher.Id, code, teacher.ExamIds);
        return TypedResults.Ok(new LoginResponse(token, expiresAt, teacher.Id));
    }

    private sealed record TeacherLogin(int Id, string PasswordHash, int[] ExamIds);

    private static async Task<TeacherLogin?> FindTeacherAsync(ExamDb db, string code, CancellationToken cancellationToken)
    {
        await using var lease = await db.LeaseAsync(cancellationToken);
        var connection = lease.Connection;
        await using var command = new NpgsqlCommand(
            """
            SELECT t.id, t.password_hash,
                   array(SELECT a.exam_id FROM exam_assignments a WHERE a.teacher_id = t.id ORDER BY a.exam_id)
            FROM teachers t WHERE t.code = @code
            """,
            connection);
        command.Parameters.AddWithValue("code", code);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        return new TeacherLogin(reader.GetInt32(0), reader.GetString(1), reader.GetFieldValue<int[]>(2));
    }
}

/// <summary>Verifies teachers' PBKDF2 hashes; the iteration count is read from each hash.</summary>
public sealed class TeacherPasswords
{
    private readonly PasswordHasher<Teacher> _hasher = new();

    // Same format and cost as the demo set's hashes, for codes that do not exist.
    private readonly string _decoyHash = new PasswordHasher<Teacher>(Microsoft.Extensions.Options.Options.Create(
        new PasswordHasherOptions { IterationCount = 1_000 })).HashPassword(null!, Guid.NewGuid().ToString());

    public bool Verify(string? hash, string password)
    {
        var result = _hasher.VerifyHashedPassword(null!, hash ?? _decoyHash, password);
        return hash is not null && result is PasswordVerificationResult.Success or PasswordVerificationResult.SuccessRehashNeeded;
    }
}
