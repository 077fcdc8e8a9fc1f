using System.Globalization;
using System.Security.Claims;
using ExamConsole.Api.Admin;
using ExamConsole.Data.Admin;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace ExamConsole.Console.Auth;

/// <summary>
/// The console's cookie sign-in, beside the API's bearer tokens. Bearer stays the default scheme,
/// so /api answers 401/403 problem+json and never redirects; only console pages use the cookie
/// (and its redirect to the sign-in page).
/// </summary>
public static class ConsoleAuth
{
    public const string Scheme = "console";
    public const string ReadPolicy = "console-read";
    public const string CookieName = "examconsole.console";
    public const string LoginPath = "/login";
    public const string LogoutPath = "/logout";

    /// <summary>When the console session began, in Unix seconds like a token's <c>iat</c>.</summary>
    public const string IssuedClaim = "issued";

    public static IHostApplicationBuilder AddConsoleAuth(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddAuthentication()
            .AddCookie(Scheme, options =>
            {
                options.Cookie.Name = CookieName;
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Strict;
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.LoginPath = LoginPath;
                options.LogoutPath = LogoutPath;
                options.AccessDeniedPath = LoginPath;
                options.SlidingExpiration = false;
                options.Events.OnValidatePrincipal = ValidateSessionAsync;
            });
        // A console session lasts as long as an operator's token: one shift.
        services.AddOptions<CookieAuthenticationOptions>(Scheme)
            .Configure<IOptions<AdminOptions>>((cookie, admin) => cookie.ExpireTimeSpan = admin.Value.TokenLifetime);
        services.AddAuthorizationBuilder()
            .AddPolicy(ReadPolicy, policy => policy
                .AddAuthenticationSchemes(Scheme)
                .RequireAuthenticatedUser()
                .RequireRole(AdminPolicies.OperatorRole, AdminPolicies.ViewerRole));
        services.AddCascadingAuthenticationState();
        // After the AddRazorComponents default, so that the console's circuits use this one.
        services.AddScoped<AuthenticationStateProvider, ConsoleSessionRevalidation>();
        services.AddSingleton<IConsoleSignIn, ConsoleSignIn>();
        return builder;
    }

    /// <summary>
    /// Outside /api, a request without a bearer identity takes the console cookie's: the Blazor
    /// circuit (its hub has no policy of its own) then runs as the signed-in administrator.
    /// </summary>
    public static IApplicationBuilder UseConsoleCookie(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (!context.Request.Path.StartsWithSegments("/api") && context.User.Identity?.IsAuthenticated != true)
            {
                var result = await context.AuthenticateAsync(Scheme);
                if (result.Succeeded)
                {
                    context.User = result.Principal;
                }
            }
            await next(context);
        });

    /// <summary>Sign-out: a form POST with the antiforgery token.</summary>
    public static IEndpointRouteBuilder MapConsoleAuth(this IEndpointRouteBuilder routes)
    {
        routes.MapPost(LogoutPath, async (HttpContext context, [FromForm] string? returnUrl) =>
        {
            await context.SignOutAsync(Scheme);
            return TypedResults.LocalRedirect(LoginPath);
        }).ExcludeFromDescription();
        return routes;
    }

    /// <summary>A return address that stays on this site ("/controls"), else the overview.</summary>
    public static string LocalOrHome(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal) && !returnUrl.StartsWith("/\\", StringComparison.Ordinal)
            ? returnUrl
            : "/";

    public static ClaimsPrincipal PrincipalFor(string username, string role, string securityStamp, DateTimeOffset issuedAt) =>
        new(new ClaimsIdentity(
            [
                new Claim(ClaimTypes.Name, username),
                new Claim(ClaimTypes.Role, role),
                new Claim(AdminPolicies.StampClaim, securityStamp),
                new Claim(IssuedClaim, issuedAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), ClaimValueTypes.Integer64),
            ],
            Scheme,
            ClaimTypes.Name,
            ClaimTypes.Role));

    /// <summary>
    /// Whether a console session still stands: its account exists with the stamp and the role it
    /// signed in with (<see cref="SecurityStampCheck"/>, the same check as the operators' tokens).
    /// </summary>
    public static async Task<bool> SessionStandsAsync(ClaimsPrincipal principal, SecurityStampCheck check, CancellationToken cancellationToken)
    {
        if (principal.Identity?.Name is not { Length: > 0 } username || principal.FindFirstValue(ClaimTypes.Role) is not { } role)
        {
            return false;
        }
        var issuedAt = long.TryParse(principal.FindFirstValue(IssuedClaim), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : DateTimeOffset.MinValue;
        var verdict = await check.CheckAsync(username, role, principal.FindFirstValue(AdminPolicies.StampClaim), issuedAt, cancellationToken);
        return verdict is StampVerdict.Current or StampVerdict.Unverified;
    }

    /// <summary>On every request that brings the cookie: a session that no longer stands is dropped and the cookie deleted.</summary>
    private static async Task ValidateSessionAsync(CookieValidatePrincipalContext context)
    {
        var check = context.HttpContext.RequestServices.GetRequiredService<SecurityStampCheck>();
        if (context.Principal is null || !await SessionStandsAsync(context.Principal, check, context.HttpContext.RequestAborted))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
        }
    }
}

/// <summary>Checks an administrator's password and, when it matches, issues the console cookie.</summary>
public interface IConsoleSignIn
{
    Task<AdminSignInResult> SignInAsync(HttpContext? context, string? username, string? password, CancellationToken cancellationToken);
}

internal sealed class ConsoleSignIn(AdminSignIn signIn, TimeProvider time) : IConsoleSignIn
{
    public async Task<AdminSignInResult> SignInAsync(HttpContext? context, string? username, string? password, CancellationToken cancellationToken)
    {
        var result = await signIn.SignInAsync(username, password, cancellationToken);
        if (result is AdminSignInResult.SignedIn(var name, var role, var stamp))
        {
            ArgumentNullException.ThrowIfNull(context);
            await context.SignInAsync(ConsoleAuth.Scheme, ConsoleAuth.PrincipalFor(name, role, stamp, time.GetUtcNow()));
        }
        return result;
    }
}
