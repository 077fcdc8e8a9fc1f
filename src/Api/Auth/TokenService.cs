using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ExamConsole.Api.Auth;

/// <summary>Issues the signed bearer tokens that every request is then checked against in memory.</summary>
public sealed partial class TokenService
{
    public const string TeacherRole = "teacher";
    public const string ExamsClaim = "exams";

    private readonly JsonWebTokenHandler _handler = new();
    private readonly AuthOptions _options;
    private readonly TimeProvider _time;

    public TokenService(IOptions<AuthOptions> options, TimeProvider time, ILogger<TokenService> logger)
    {
        _options = options.Value;
        _time = time;
        byte[] key;
        if (string.IsNullOrEmpty(_options.SigningKey))
        {
            key = RandomNumberGenerator.GetBytes(AuthOptions.MinSigningKeyBytes);
            LogEphemeralKey(logger);
        }
        else
        {
            // Its length is checked at start (AuthOptionsValidator).
            key = Encoding.UTF8.GetBytes(_options.SigningKey);
        }
        SigningKey = new SymmetricSecurityKey(key);
        Credentials = new SigningCredentials(SigningKey, SecurityAlgorithms.HmacSha256);
    }

    public SymmetricSecurityKey SigningKey { get; }

    private SigningCredentials Credentials { get; }

    public TokenValidationParameters ValidationParameters => new()
    {
        ValidIssuer = _options.Issuer,
        ValidAudience = _options.Audience,
        IssuerSigningKey = SigningKey,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        NameClaimType = JwtRegisteredClaimNames.Sub,
        RoleClaimType = "role",
        ClockSkew = TimeSpan.FromSeconds(30),
    };

    /// <summary>A teacher's token carries the teacher's id and assigned exams, so no request needs a database trip to authorize.</summary>
    public (string Token, DateTimeOffset ExpiresAt) IssueTeacherToken(int teacherId, string teacherCode, IEnumerable<int> examIds)
    {
        var claims = new Dictionary<string, object>
        {
            ["code"] = teacherCode,
            [ExamsClaim] = string.Join(' ', examIds),
        };
        return Issue(teacherId.ToString(System.Globalization.CultureInfo.InvariantCulture), TeacherRole, claims, _options.TeacherTokenLifetime);
    }

    public (string Token, DateTimeOffset ExpiresAt) Issue(string subject, string role, IDictionary<string, object> claims, TimeSpan lifetime)
    {
        var now = _time.GetUtcNow();
        var expires = now + lifetime;
        var all = new Dictionary<string, object>(claims)
        {
            [JwtRegisteredClaimNames.Sub] = subject,
            ["role"] = role,
        };
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _options.Issuer,
            Audience = _options.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            Claims = all,
            SigningCredentials = Credentials,
        });
        return (token, expires);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Auth:SigningKey is not set: tokens are signed with a random key of this process and will not be accepted by other nodes or after a restart.")]
    private static partial void LogEphemeralKey(ILogger logger);
}

/// <summary>The teacher behind a request, read from the token's claims.</summary>
public readonly record struct TeacherIdentity(int TeacherId, IReadOnlySet<int> ExamIds)
{
    public static TeacherIdentity? From(ClaimsPrincipal user)
    {
        if (!user.IsInRole(TokenService.TeacherRole)
            || !int.TryParse(user.FindFirstValue(JwtRegisteredClaimNames.Sub), out var teacherId))
        {
            return null;
        }
        var exams = new HashSet<int>();
        foreach (var part in (user.FindFirstValue(TokenService.ExamsClaim) ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (int.TryParse(part, out var id))
            {
                exams.Add(id);
            }
        }
        return new TeacherIdentity(teacherId, exams);
    }
}
