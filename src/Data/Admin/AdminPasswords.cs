using ExamConsole.Data.Entities;
using Microsoft.AspNetCore.Identity;

namespace ExamConsole.Data.Admin;

/// <summary>
/// Hashes and checks administrators' passwords: Identity's PBKDF2 (V3) with its default cost of
/// 100,000 iterations, far above the demo teachers' 1,000, since there are few administrators and
/// each of them can change the whole deployment.
/// </summary>
public sealed class AdminPasswords
{
    private readonly PasswordHasher<AdminAccount> _hasher = new();
    private readonly Lazy<string> _decoyHash;

    public AdminPasswords() =>
        _decoyHash = new Lazy<string>(() => _hasher.HashPassword(null!, Guid.NewGuid().ToString()));

    public string Hash(string password) => _hasher.HashPassword(null!, password);

    /// <summary>
    /// Checks <paramref name="password"/> against <paramref name="hash"/>. An unknown user (null hash)
    /// still costs one verification of the same cost, so timing does not tell which usernames exist.
    /// </summary>
    public bool Verify(string? hash, string password)
    {
        var result = _hasher.VerifyHashedPassword(null!, hash ?? _decoyHash.Value, password);
        return hash is not null && result is PasswordVerificationResult.Success or PasswordVerificationResult.SuccessRehashNeeded;
    }
}
