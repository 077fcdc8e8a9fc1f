using ExamConsole.Api.Auth;
using ExamConsole.Api.Infrastructure;
using ExamConsole.Data;
using ExamConsole.Data.Admin;
using ExamConsole.Data.Entities;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ExamConsole.Api.Admin;

public static class AdminAuthApi
{
    private const int MaxPasswordLength = 256;

    /// <summary>Maps <c>POST auth/login</c> under the admin group, open to anonymous callers.</summary>
    public static RouteGroupBuilder MapAdminAuthApi(this IEndpointRouteBuilder admin)
    {
        var group = admin.MapGroup("/auth").WithTags("Administrator authentication").AllowAnonymous();
        group.MapPost("/login", LoginAsync)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        return group;
    }

    public static async Task<Results<Ok<AdminLoginResponse>, ValidationProblem, ProblemHttpResult, RetryAfterProblem>> LoginAsync(
        AdminLoginRequest request,
        ExamDb db,
        AdminPasswords passwords,
        TokenService tokens,
        [FromKeyedServices(LoginThrottle.Administrators)] LoginThrottle throttle,
        IOptions<AdminOptions> options,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Username) || request.Username.Trim().Length > AdminAccount.MaxUsernameLength)
        {
            errors["username"] = [$"A username of 1 to {AdminAccount.MaxUsernameLength} characters is required."];
        }
        if (string.IsNullOrEmpty(request.Password) || request.Password.Length > MaxPasswordLength)
        {
            errors["password"] = [$"A password of 1 to {MaxPasswordLength} characters is required."];
        }
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }
        var logger = loggers.CreateLogger(AdminLog.Category);
        var username = AdminAccount.NormalizeUsername(request.Username!);
        if (!throttle.TryAcquire(username, out var retryAfter))
        {
            AdminLog.LoginThrottled(logger, username, retryAfter.TotalSeconds);
            return Problems.TryLater(StatusCodes.Status429TooManyRequests, retryAfter, "Too many login attempts for this username. Wait before trying again.");
        }

        await using var lease = await db.LeaseAsync(cancellationToken);
        var context = lease.Context;
        var account = await context.AdminAccounts.AsNoTracking()
            .Where(a => a.Username == username)
            .Select(a => new { a.PasswordHash, a.Role })
            .FirstOrDefaultAsync(cancellationToken);
        // An unknown username still costs one hash verification (AdminPasswords), and both answers are the same.
        var verified = passwords.Verify(account?.PasswordHash, request.Password!);
        if (account is null || !verified)
        {
            AdminLog.LoginFailed(logger, username);
            return Problems.Unauthorized("The username or the password is wrong.");
        }
        var (token, expiresAt) = tokens.Issue(username, account.Role, new Dictionary<string, object>(), options.Value.TokenLifetime);
        AdminLog.LoginSucceeded(logger, username, account.Role);
        return TypedResults.Ok(new AdminLoginResponse(token, expiresAt, account.Role));
    }
}
