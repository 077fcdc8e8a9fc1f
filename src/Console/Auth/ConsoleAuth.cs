using System.Security.Claims;
using ExamConsole.Api.Admin;
using ExamConsole.Data.Admin;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
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

    public static ClaimsPrincipal PrincipalFor(string username, string role) =>
        new(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, username), new Claim(ClaimTypes.Role, role)],
            Scheme,
            ClaimTypes.Name,
            ClaimTypes.Role));
}

/// <summary>Checks an administrator's password and, when it matches, issues the console cookie.</summary>
public interface IConsoleSignIn
{
    Task<AdminSignInResult> SignInAsync(HttpContext? context, string? username, string? password, CancellationToken cancellationToken);
}

internal sealed class ConsoleSignIn(AdminSignIn signIn) : IConsoleSignIn
{
    public async Task<AdminSignInResult> SignInAsync(HttpContext? context, string? username, string? password, CancellationToken cancellationToken)
    {
        var result = await signIn.SignInAsync(username, password, cancellationToken);
        if (result is AdminSignInResult.SignedIn(var name, var role))
        {
            ArgumentNullException.ThrowIfNull(context);
            await context.SignInAsync(ConsoleAuth.Scheme, ConsoleAuth.PrincipalFor(name, role));
        }
        return result;
    }
}
