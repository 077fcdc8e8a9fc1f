using ExamConsole.Api.Auth;
using ExamConsole.Api.Infrastructure;
using ExamConsole.Data.Admin;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace ExamConsole.Api.Admin;

public static class AdminAuthApi
{
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
        AdminSignIn signIn,
        TokenService tokens,
        IOptions<AdminOptions> options,
        CancellationToken cancellationToken)
    {
        var result = await signIn.SignInAsync(request.Username, request.Password, cancellationToken);
        switch (result)
        {
            case AdminSignInResult.SignedIn(var username, var role, var stamp):
                var (token, expiresAt) = IssueToken(tokens, username, role, stamp, options.Value.TokenLifetime);
                return TypedResults.Ok(new AdminLoginResponse(token, expiresAt, role));
            case AdminSignInResult.Invalid invalid:
                return Problems.Invalid(invalid.Errors.ToDictionary());
            case AdminSignInResult.Throttled(var retryAfter):
                return Problems.TryLater(StatusCodes.Status429TooManyRequests, retryAfter, "Too many login attempts for this username. Wait before trying again.");
            default:
                return Problems.Unauthorized("The username or the password is wrong.");
        }
    }

    /// <summary>An administrator's token: the username as subject, the role, and the security stamp it is checked against on every request.</summary>
    public static (string Token, DateTimeOffset ExpiresAt) IssueToken(TokenService tokens, string username, string role, string securityStamp, TimeSpan lifetime) =>
        tokens.Issue(username, role, new Dictionary<string, object> { [AdminPolicies.StampClaim] = securityStamp }, lifetime);
}
