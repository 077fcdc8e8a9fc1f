using System.Security.Claims;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ExamConsole.Api.Auth;

/// <summary>Issues the signed bearer tokens that every request is then checked against in memory.</summary>
public sealed class TokenService
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
        var key = SigningKeyStore.Load(_options, logger);
        KeySource = key.Source;
        SigningKey = new SymmetricSecurityKey(key.Key);
        Credentials = new SigningCredentials(SigningKey, SecurityAlgorithms.HmacSha256);
    }

    public SymmetricSecurityKey SigningKey { get; }

    /// <summary>Where <see cref="SigningKey"/> came from.</summary>
    public SigningKeySource KeySource { get; }

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
