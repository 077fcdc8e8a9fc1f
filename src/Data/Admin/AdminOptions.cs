using Microsoft.Extensions.Options;

namespace ExamConsole.Data.Admin;

/// <summary>The administrators' accounts and sign-in (section <c>Admin</c>).</summary>
public sealed class AdminOptions
{
    public const string SectionName = "Admin";

    public const int MinPasswordLength = 12;

    /// <summary>
    /// Creates the operator account <c>admin</c> with this password at start when it does not exist yet.
    /// Changing it later changes nothing: the account keeps the password it was created with.
    /// </summary>
    public string? InitialPassword { get; set; }

    /// <summary>Creates the read-only account <c>viewer</c> the same way (for QA and wall displays).</summary>
    public string? InitialViewerPassword { get; set; }

    /// <summary>How long an administrator's token is accepted: one working shift.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>Login attempts one username may make per <see cref="LoginWindow"/> before 429.</summary>
    public int LoginAttemptsPerWindow { get; set; } = 5;

    public TimeSpan LoginWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a node trusts what it last read of an account's role and security stamp. A token or
    /// cookie of an account that was deleted, demoted or given a new password stops working within
    /// this time (plus one database read); zero reads the account on every request.
    /// </summary>
    public TimeSpan StampCacheDuration { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest <see cref="StampCacheDuration"/>: revocation is promised within 5 s.</summary>
    public static readonly TimeSpan MaxStampCacheDuration = TimeSpan.FromSeconds(5);
}

/// <summary>Refuses nonsense admin settings at start, naming the key and what it accepts.</summary>
public sealed class AdminOptionsValidator : IValidateOptions<AdminOptions>
{
    public ValidateOptionsResult Validate(string? name, AdminOptions options)
    {
        var failures = new List<string>();
        CheckPassword(failures, "Admin:InitialPassword", options.InitialPassword);
        CheckPassword(failures, "Admin:InitialViewerPassword", options.InitialViewerPassword);
        if (options.TokenLifetime < TimeSpan.FromMinutes(1) || options.TokenLifetime > TimeSpan.FromDays(7))
        {
            failures.Add($"Admin:TokenLifetime must be between 00:01:00 and 7.00:00:00 (got {options.TokenLifetime}).");
        }
        if (options.LoginAttemptsPerWindow < 1)
        {
            failures.Add($"Admin:LoginAttemptsPerWindow must be at least 1 (got {options.LoginAttemptsPerWindow}).");
        }
        if (options.LoginWindow < TimeSpan.FromSeconds(1))
        {
            failures.Add($"Admin:LoginWindow must be at least 1 second (got {options.LoginWindow}).");
        }
        if (options.StampCacheDuration < TimeSpan.Zero || options.StampCacheDuration > AdminOptions.MaxStampCacheDuration)
        {
            failures.Add($"Admin:StampCacheDuration must be between 00:00:00 and {AdminOptions.MaxStampCacheDuration:c} (got {options.StampCacheDuration}): revoked sessions must end within 5 s.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    // Empty counts as unset: appsettings.json lists the keys with "" so that they can be found.
    private static void CheckPassword(List<string> failures, string key, string? password)
    {
        if (!string.IsNullOrEmpty(password) && password.Length < AdminOptions.MinPasswordLength)
        {
            failures.Add($"{key} must be at least {AdminOptions.MinPasswordLength} characters long (got {password.Length}); leave it empty to create no account.");
        }
    }
}
