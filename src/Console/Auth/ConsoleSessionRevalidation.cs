using ExamConsole.Api.Admin;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;

namespace ExamConsole.Console.Auth;

/// <summary>
/// A console page's circuit outlives the request that opened it, so the cookie's check alone would
/// let a deleted or demoted operator keep acting on an open page. This checks the circuit's session
/// every second (each account read at most once per Admin:StampCacheDuration per node); a session
/// that no longer stands becomes anonymous, and the page then sends its user to the sign-in page.
/// </summary>
internal sealed class ConsoleSessionRevalidation(SecurityStampCheck check, ILoggerFactory loggers)
    : RevalidatingServerAuthenticationStateProvider(loggers)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromSeconds(1);

    protected override Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken) =>
        authenticationState.User.Identity?.IsAuthenticated == true
            ? ConsoleAuth.SessionStandsAsync(authenticationState.User, check, cancellationToken)
            : Task.FromResult(true);
}
