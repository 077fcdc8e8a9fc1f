namespace ExamConsole.Api.Auth;

/// <summary>Bearer token settings (section <c>Auth</c>).</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>
    /// HMAC-SHA256 key of the tokens, at least 32 bytes. Every node of a deployment must share it.
    /// When empty, each process makes a random one (tokens then die with the process).
    /// </summary>
    public string? SigningKey { get; set; }

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
