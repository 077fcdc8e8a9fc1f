using ExamConsole.Data.Entities;
using Microsoft.AspNetCore.Identity;

namespace ExamConsole.Data.Stores;

/// <summary>Verifies teachers' PBKDF2 hashes; the iteration count is read from each hash.</summary>
public sealed class TeacherPasswords
{
    private readonly PasswordHasher<Teacher> _hasher = new();

    // Same format and cost as the demo set's hashes, for codes that do not exist.
    private readonly string _decoyHash = new PasswordHasher<Teacher>(Microsoft.Extensions.Options.Options.Create(
        new PasswordHasherOptions { IterationCount = 1_000 })).HashPassword(null!, Guid.NewGuid().ToString());

    /// <summary>
    /// True when the password matches the hash. A null hash (an unknown code) still costs one
    /// verification against a decoy, so that timing does not tell which codes exist.
    /// </summary>
    public bool Verify(string? hash, string password)
    {
        var result = _hasher.VerifyHashedPassword(null!, hash ?? _decoyHash, password);
        return hash is not null && result is PasswordVerificationResult.Success or PasswordVerificationResult.SuccessRehashNeeded;
    }
}
