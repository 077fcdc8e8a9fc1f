using ExamConsole.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace ExamConsole.Data.Admin;

/// <summary>What a token of an administrator is checked against: the account's role and security stamp now.</summary>
public sealed record AdminAccountState(string Role, string SecurityStamp);

/// <summary>
/// The one place that writes administrators' accounts. Every change that takes away what a token
/// or a cookie grants (the role, the password, the account itself) gives the account a new
/// <see cref="AdminAccount.SecurityStamp"/> in the same statement, so that the sessions issued
/// before end within <c>Admin:StampCacheDuration</c> on every node.
/// </summary>
public sealed class AdminAccounts(ExamDb db, AdminPasswords passwords, TimeProvider time)
{
    /// <summary>
    /// Creates the account unless one of that name exists (several nodes may start at once against
    /// one database: the first insert wins, the others do nothing); returns whether it did.
    /// </summary>
    public async Task<bool> CreateAsync(string username, string password, string role, CancellationToken cancellationToken = default)
    {
        var normalized = Normalize(username);
        CheckRole(role);
        CheckPassword(password);
        var hash = passwords.Hash(password);
        await using var lease = await db.LeaseAsync(cancellationToken);
        var created = await lease.Context.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO admin_accounts (username, password_hash, role, created_at, security_stamp)
            VALUES ({normalized}, {hash}, {role}, {time.GetUtcNow()}, {AdminAccount.NewSecurityStamp()})
            ON CONFLICT (username) DO NOTHING
            """,
            cancellationToken);
        return created == 1;
    }

    public async Task<bool> ExistsAsync(string username, CancellationToken cancellationToken = default)
    {
        var normalized = Normalize(username);
        await using var lease = await db.LeaseAsync(cancellationToken);
        return await lease.Context.AdminAccounts.AnyAsync(a => a.Username == normalized, cancellationToken);
    }

    public async Task<bool> AnyOperatorAsync(CancellationToken cancellationToken = default)
    {
        await using var lease = await db.LeaseAsync(cancellationToken);
        return await lease.Context.AdminAccounts.AnyAsync(a => a.Role == AdminRoles.Operator, cancellationToken);
    }

    /// <summary>The account's role and stamp now; null when no account has that name.</summary>
    public async Task<AdminAccountState?> FindStateAsync(string username, CancellationToken cancellationToken = default)
    {
        var normalized = Normalize(username);
        await using var lease = await db.LeaseAsync(cancellationToken);
        return await lease.Context.AdminAccounts.AsNoTracking()
            .Where(a => a.Username == normalized)
            .Select(a => new AdminAccountState(a.Role, a.SecurityStamp))
            .FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>Gives the account <paramref name="role"/> and a new stamp; false when there is no such account.</summary>
    public async Task<bool> SetRoleAsync(string username, string role, CancellationToken cancellationToken = default)
    {
        var normalized = Normalize(username);
        CheckRole(role);
        var stamp = AdminAccount.NewSecurityStamp();
        await using var lease = await db.LeaseAsync(cancellationToken);
        return await lease.Context.AdminAccounts
            .Where(a => a.Username == normalized)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Role, role).SetProperty(a => a.SecurityStamp, stamp), cancellationToken) == 1;
    }

    /// <summary>Gives the account a new password and a new stamp; false when there is no such account.</summary>
    public async Task<bool> SetPasswordAsync(string username, string password, CancellationToken cancellationToken = default)
    {
        var normalized = Normalize(username);
        CheckPassword(password);
        var hash = passwords.Hash(password);
        var stamp = AdminAccount.NewSecurityStamp();
        await using var lease = await db.LeaseAsync(cancellationToken);
        return await lease.Context.AdminAccounts
            .Where(a => a.Username == normalized)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.PasswordHash, hash).SetProperty(a => a.SecurityStamp, stamp), cancellationToken) == 1;
    }

    /// <summary>Deletes the account (its tokens then find no stamp); false when there was none.</summary>
    public async Task<bool> DeleteAsync(string username, CancellationToken cancellationToken = default)
    {
        var normalized = Normalize(username);
        await using var lease = await db.LeaseAsync(cancellationToken);
        return await lease.Context.AdminAccounts.Where(a => a.Username == normalized).ExecuteDeleteAsync(cancellationToken) == 1;
    }

    private static string Normalize(string username)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(username);
        var normalized = AdminAccount.NormalizeUsername(username);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(normalized.Length, AdminAccount.MaxUsernameLength, nameof(username));
        return normalized;
    }

    private static void CheckRole(string role)
    {
        if (role is not (AdminRoles.Operator or AdminRoles.Viewer))
        {
            throw new ArgumentException($"An administrator's role is '{AdminRoles.Operator}' or '{AdminRoles.Viewer}' (got '{role}').", nameof(role));
        }
    }

    private static void CheckPassword(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (password.Length < AdminOptions.MinPasswordLength)
        {
            throw new ArgumentException($"An administrator's password must be at least {AdminOptions.MinPasswordLength} characters long (got {password.Length}).", nameof(password));
        }
    }
}
