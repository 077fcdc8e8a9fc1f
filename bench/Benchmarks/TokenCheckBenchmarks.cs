using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using ExamConsole.Api.Auth;
using ExamConsole.Data.Stores;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ExamConsole.Benchmarks;

/// <summary>
/// What checking a teacher's bearer token costs on every request, with the host's own
/// registration (AddExamApi: the JwtBearer options, TokenService's validation parameters), and
/// what a login costs in CPU (the PBKDF2 check of the demo hashes, 1,000 iterations, and issuing
/// the token). No database: a login's one query is not in here.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[MinColumn]
[Config(typeof(PoolLeaseBenchmarks.ShortConfig))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class TokenCheckBenchmarks
{
    private const string Check = "TokenCheck";
    private const string Login = "Login";

    private BenchHost? _host;
    private TokenService? _tokens;
    private TeacherPasswords? _passwords;
    private JsonWebTokenHandler? _handler;
    private readonly JsonWebTokenHandler _fullCheck = new();
    private TokenValidationParameters? _parameters;
    private string _token = "";
    private string _bearer = "";
    private string _hash = "";

    [GlobalSetup]
    public void Setup()
    {
        _host = BenchHost.WithoutDatabase();
        var services = _host.Services;
        _tokens = services.GetRequiredService<TokenService>();
        _passwords = services.GetRequiredService<TeacherPasswords>();
        var bearer = services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(JwtBearerDefaults.AuthenticationScheme);
        _handler = bearer.TokenHandlers.OfType<JsonWebTokenHandler>().Single();
        _parameters = bearer.TokenValidationParameters;
        // The demo data's shape: every teacher assigned to the 10 exams.
        _token = _tokens.IssueTeacherToken(12345, "T0012345", Enumerable.Range(1, 10)).Token;
        _bearer = "Bearer " + _token;
        var hasher = new Microsoft.AspNetCore.Identity.PasswordHasher<object>(Options.Create(new Microsoft.AspNetCore.Identity.PasswordHasherOptions { IterationCount = 1_000 }));
        _hash = hasher.HashPassword(new object(), "pass-0012345");
        if (!_passwords.Verify(_hash, "pass-0012345") || TeacherFromBearer().GetAwaiter().GetResult() != 12345)
        {
            throw new InvalidOperationException("The benchmark's token or hash does not check out: the setup is wrong.");
        }
        // And a forged signature is refused on the measured path, so that it measures a real check.
        var forged = _token[..^2] + (_token[^2] == 'A' ? "BA" : "AA");
        var refused = false;
        try
        {
            TeacherFromBearer("Bearer " + forged).GetAwaiter().GetResult();
        }
        catch (InvalidOperationException)
        {
            refused = true;
        }
        if (!refused)
        {
            throw new InvalidOperationException("A forged token was accepted on the measured path: it does not check the signature.");
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    /// <summary>A full check by a plain JsonWebTokenHandler: signature, lifetime, issuer, audience, claims.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory(Check)]
    public async Task<bool> ValidateToken_FullCheck()
    {
        var result = await _fullCheck.ValidateTokenAsync(_token, _parameters!);
        return result.IsValid;
    }

    /// <summary>The API's handler (CachingTokenHandler) on a token it has accepted before: a lookup and a copy of the identity.</summary>
    [Benchmark]
    [BenchmarkCategory(Check)]
    public async Task<bool> ValidateToken_ApiHandler_Remembered()
    {
        var result = await _handler!.ValidateTokenAsync(_token, _parameters!);
        return result.IsValid;
    }

    /// <summary>
    /// What a request pays: the JwtBearer authentication handler on the Authorization header (as
    /// UseAuthentication runs it, with the API's token handler: the token was seen before), then the
    /// teacher id and exam set read from the claims.
    /// </summary>
    [Benchmark]
    [BenchmarkCategory(Check)]
    public Task<int> Authenticate_JwtBearer_AndReadTeacher() => TeacherFromBearer();

    /// <summary>A login's CPU: the PBKDF2-SHA512 check of a demo hash (1,000 iterations).</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory(Login)]
    public bool VerifyPassword() => _passwords!.Verify(_hash, "pass-0012345");

    [Benchmark]
    [BenchmarkCategory(Login)]
    public string IssueToken() => _tokens!.IssueTeacherToken(12345, "T0012345", Enumerable.Range(1, 10)).Token;

    private async Task<int> TeacherFromBearer(string? bearer = null)
    {
        // A scope per request, as the host has: the authentication handlers are scoped and remember
        // their result, so one shared scope would measure a cached answer, not a token check.
        await using var scope = _host!.Services.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Request.Headers.Authorization = bearer ?? _bearer;
        var result = await scope.ServiceProvider.GetRequiredService<IAuthenticationService>().AuthenticateAsync(context, JwtBearerDefaults.AuthenticationScheme);
        var principal = result.Principal ?? throw new InvalidOperationException("The token was refused: " + result.Failure?.Message);
        return TeacherIdentity.From(principal) is { } teacher ? teacher.TeacherId : throw new InvalidOperationException("No teacher in the token.");
    }
}
