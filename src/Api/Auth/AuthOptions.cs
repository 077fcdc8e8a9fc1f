using System.Text;
using ExamConsole.Data;
using Microsoft.Extensions.Options;

namespace ExamConsole.Api.Auth;

/// <summary>Bearer token settings (section <c>Auth</c>).</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>HMAC-SHA256 wants a key as long as its output.</summary>
    public const int MinSigningKeyBytes = 32;

    /// <summary>
    /// HMAC-SHA256 key of the tokens, at least <see cref="MinSigningKeyBytes"/> bytes (UTF-8). Every node of a deployment must share it.
    /// Always wins over <see cref="SigningKeyFile"/>. When both are empty, each process makes a
    /// random one (tokens then die with the process).
    /// </summary>
    public string? SigningKey { get; set; }

    /// <summary>
    /// Where the key is kept when <see cref="SigningKey"/> is empty: read at start, or made once
    /// (64 random bytes, owner-only) when missing, so that a restart signs nobody out. Nodes on one
    /// machine that point at the same file share the key; a fleet of machines sets
    /// <see cref="SigningKey"/> (or copies the file) on every node. Empty: no file, a key per process.
    /// </summary>
    public string? SigningKeyFile { get; set; }

    public TimeSpan TeacherTokenLifetime { get; set; } = TimeSpan.FromHours(10);

    public string Issuer { get; set; } = "examconsole";

    public string Audience { get; set; } = "examconsole-api";

    /// <summary>Login attempts one teacher code may make per <see cref="LoginWindow"/> before 429.</summary>
    public int LoginAttemptsPerWindow { get; set; } = 10;

    public TimeSpan LoginWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Accepted bearer tokens a node remembers until they expire, so that each is verified once: the
    /// 40,000 teachers of an exam day and their operators, with room for new logins. Past it, new
    /// tokens are checked in full on every request. A few kilobytes each.
    /// </summary>
    public int AcceptedTokenCacheSize { get; set; } = 50_000;
}

/// <summary>Refuses nonsense token settings at start, naming the key and the accepted range (never the signing key itself).</summary>
public sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions o)
    {
        var keyBytes = Encoding.UTF8.GetByteCount(o.SigningKey ?? "");
        return new OptionsCheck(AuthOptions.SectionName)
            .Require(
                keyBytes is 0 or >= AuthOptions.MinSigningKeyBytes,
                nameof(o.SigningKey),
                $"must be at least {AuthOptions.MinSigningKeyBytes} bytes long (UTF-8), or empty for a random key of this process",
                $"{keyBytes} bytes")
            .Between(nameof(o.TeacherTokenLifetime), o.TeacherTokenLifetime, TimeSpan.FromMinutes(1), TimeSpan.FromDays(1))
            .Require(!string.IsNullOrWhiteSpace(o.Issuer), nameof(o.Issuer), "must not be empty", OptionsCheck.Quote(o.Issuer))
            .Require(!string.IsNullOrWhiteSpace(o.Audience), nameof(o.Audience), "must not be empty", OptionsCheck.Quote(o.Audience))
            .Between(nameof(o.LoginAttemptsPerWindow), o.LoginAttemptsPerWindow, 1, 10_000)
            .Between(nameof(o.LoginWindow), o.LoginWindow, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1))
            // A few kilobytes each: a million is gigabytes.
            .Between(nameof(o.AcceptedTokenCacheSize), o.AcceptedTokenCacheSize, 1, 1_000_000)
            .Result;
    }
}
