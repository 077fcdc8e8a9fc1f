namespace ExamConsole.Data.Entities;

/// <summary>An administrator of the operator API and the console.</summary>
public sealed class AdminAccount
{
    public const int MaxUsernameLength = 64;

    public int Id { get; set; }

    /// <summary>Stored as <see cref="NormalizeUsername"/> makes it, so that "Admin" and "admin" are one account.</summary>
    public required string Username { get; set; }

    /// <summary>PBKDF2 hash in ASP.NET Core Identity's V3 format, with Identity's default 100,000 iterations.</summary>
    public required string PasswordHash { get; set; }

    /// <summary><see cref="AdminRoles.Operator"/> or <see cref="AdminRoles.Viewer"/> (a check constraint holds the database to these).</summary>
    public required string Role { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// Changes whenever the account loses what its tokens grant (its role or its password), so that
    /// tokens and cookies issued before stop working; a deleted account has none.
    /// </summary>
    public string SecurityStamp { get; set; } = NewSecurityStamp();

    public static string NewSecurityStamp() => Guid.NewGuid().ToString("N");

    public static string NormalizeUsername(string username) => username.Trim().ToLowerInvariant();
}

/// <summary>The administrator roles, written down once: the tokens, the policies and the table's check constraint use these.</summary>
public static class AdminRoles
{
    /// <summary>May act: resize, throttle, open the circuit...</summary>
    public const string Operator = "operator";

    /// <summary>May only read.</summary>
    public const string Viewer = "viewer";
}

/// <summary>One change an administrator made, with the state before and after it as JSON.</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }
    public DateTimeOffset At { get; set; }

    /// <summary>The administrator's username (the token's subject).</summary>
    public required string Actor { get; set; }

    /// <summary>What was done, dotted: <c>pool.resize</c>, <c>throttle.set</c>...</summary>
    public required string Action { get; set; }

    /// <summary>jsonb; null when there was nothing before (or nothing worth recording).</summary>
    public string? Before { get; set; }

    /// <summary>jsonb; null when nothing is left after.</summary>
    public string? After { get; set; }

    /// <summary>The fleet's desired state version this change made, when it was one.</summary>
    public long? SettingsVersion { get; set; }
}
