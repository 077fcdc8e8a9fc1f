using ExamConsole.Api.Auth;
using ExamConsole.Data;
using ExamConsole.Data.Admin;
using ExamConsole.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ExamConsole.Api.Admin;

/// <summary>What became of an administrator's sign-in attempt.</summary>
public abstract record AdminSignInResult
{
    private AdminSignInResult()
    {
    }

    /// <summary>The password matched: the normalized username, the account's role and its security stamp (for the session to carry).</summary>
    public sealed record SignedIn(string Username, string Role, string SecurityStamp) : AdminSignInResult;

    /// <summary>The username or password is missing or too long, by field.</summary>
    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : AdminSignInResult;

    /// <summary>Too many tries for this username: wait this long.</summary>
    public sealed record Throttled(TimeSpan RetryAfter) : AdminSignInResult;

    /// <summary>Unknown username or wrong password (one answer for both).</summary>
    public sealed record Refused : AdminSignInResult;
}

/// <summary>
/// Checks an administrator's username and password: the one sign-in of the operator API (which
/// then issues a bearer token) and of the console (which then issues a cookie).
/// </summary>
public sealed class AdminSignIn(
    ExamDb db,
    AdminPasswords passwords,
    [FromKeyedServices(LoginThrottle.Administrators)] LoginThrottle throttle,
    ILoggerFactory loggers)
{
    public const int MaxPasswordLength = 256;

    private readonly ILogger _logger = loggers.CreateLogger(AdminLog.Category);

    public async Task<AdminSignInResult> SignInAsync(string? username, string? password, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(username) || username.Trim().Length > AdminAccount.MaxUsernameLength)
        {
            errors["username"] = [$"A username of 1 to {AdminAccount.MaxUsernameLength} characters is required."];
        }
        if (string.IsNullOrEmpty(password) || password.Length > MaxPasswordLength)
        {
            errors["password"] = [$"A password of 1 to {MaxPasswordLength} characters is required."];
        }
        if (errors.Count > 0)
        {
            return new AdminSignInResult.Invalid(errors);
        }
        var normalized = AdminAccount.NormalizeUsername(username!);
        if (!throttle.TryAcquire(normalized, out var retryAfter))
        {
            AdminLog.LoginThrottled(_logger, normalized, retryAfter.TotalSeconds);
            return new AdminSignInResult.Throttled(retryAfter);
        }

        await using var lease = await db.LeaseAsync(cancellationToken);
        var account = await lease.Context.AdminAccounts.AsNoTracking()
            .Where(a => a.Username == normalized)
            .Select(a => new { a.PasswordHash, a.Role, a.SecurityStamp })
            .FirstOrDefaultAsync(cancellationToken);
        // An unknown username still costs one hash verification (AdminPasswords), and both answers are the same.
        var verified = passwords.Verify(account?.PasswordHash, password!);
        if (account is null || !verified)
        {
            AdminLog.LoginFailed(_logger, normalized);
            return new AdminSignInResult.Refused();
        }
        AdminLog.LoginSucceeded(_logger, normalized, account.Role);
        return new AdminSignInResult.SignedIn(normalized, account.Role, account.SecurityStamp);
    }
}
