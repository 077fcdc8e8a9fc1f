using System.Security.Claims;
using ExamConsole.Api.Auth;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;

namespace ExamConsole.Api.Tests;

/// <summary>The API's token handler remembers accepted tokens: never past their expiry, never a refused one, never shared state.</summary>
public sealed class CachingTokenHandlerTests : IDisposable
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly TokenService _tokens;
    private readonly TokenValidationParameters _parameters;
    private readonly CachingTokenHandler _handler;

    public CachingTokenHandlerTests()
    {
        _tokens = new TokenService(Options.Create(new AuthOptions { TeacherTokenLifetime = Lifetime }), _time, NullLogger<TokenService>.Instance);
        _parameters = _tokens.ValidationParameters;
        // Lifetime by the test's clock, so that the full check and the cache's expiry agree on "now".
        _parameters.LifetimeValidator = (_, expires, _, _) => expires > _time.GetUtcNow().UtcDateTime;
        _handler = new CachingTokenHandler(_time, capacity: 100);
    }

    public void Dispose() => _handler.Dispose();

    [Fact]
    public async Task AcceptedToken_IsAcceptedAgainWithTheSameClaims()
    {
        var (token, _) = _tokens.IssueTeacherToken(42, "T0000042", [1, 2]);

        var first = await _handler.ValidateTokenAsync(token, _parameters);
        var second = await _handler.ValidateTokenAsync(token, _parameters);

        Assert.True(first.IsValid);
        Assert.True(second.IsValid);
        Assert.Equal(42, TeacherIdentity.From(new ClaimsPrincipal(second.ClaimsIdentity))!.Value.TeacherId);
        Assert.Equal([1, 2], TeacherIdentity.From(new ClaimsPrincipal(second.ClaimsIdentity))!.Value.ExamIds.Order());
    }

    [Fact]
    public async Task RememberedToken_IsRefusedOnceItHasExpired()
    {
        var (token, _) = _tokens.IssueTeacherToken(42, "T0000042", [1]);
        Assert.True((await _handler.ValidateTokenAsync(token, _parameters)).IsValid);

        _time.Advance(Lifetime + TimeSpan.FromSeconds(1));

        Assert.False((await _handler.ValidateTokenAsync(token, _parameters)).IsValid);
    }

    [Fact]
    public async Task TamperedCopyOfAnAcceptedToken_IsRefused()
    {
        var (token, _) = _tokens.IssueTeacherToken(42, "T0000042", [1]);
        Assert.True((await _handler.ValidateTokenAsync(token, _parameters)).IsValid);
        // The same header and payload with another signature: the cache is keyed by the whole token.
        var forged = token[..(token.LastIndexOf('.') + 1)] + Base64UrlEncoder.Encode(new byte[32]);

        Assert.False((await _handler.ValidateTokenAsync(forged, _parameters)).IsValid);
    }

    [Fact]
    public async Task RememberedToken_UnderAnotherSigningKey_IsCheckedInFullAndRefused()
    {
        var (token, _) = _tokens.IssueTeacherToken(42, "T0000042", [1]);
        Assert.True((await _handler.ValidateTokenAsync(token, _parameters)).IsValid);
        // A rotated key (or another scheme's parameters): the remembered acceptance does not carry over.
        var rotated = _parameters.Clone();
        rotated.IssuerSigningKey = new SymmetricSecurityKey(new byte[32]);

        Assert.False((await _handler.ValidateTokenAsync(token, rotated)).IsValid);
        Assert.True((await _handler.ValidateTokenAsync(token, _parameters.Clone())).IsValid);
    }

    [Fact]
    public async Task RefusedToken_IsRefusedEveryTime()
    {
        var other = new TokenService(Options.Create(new AuthOptions()), _time, NullLogger<TokenService>.Instance);
        var (foreign, _) = other.IssueTeacherToken(42, "T0000042", [1]);

        Assert.False((await _handler.ValidateTokenAsync(foreign, _parameters)).IsValid);
        Assert.False((await _handler.ValidateTokenAsync(foreign, _parameters)).IsValid);
    }

    [Fact]
    public async Task ChangingAnIdentityItWasGiven_DoesNotChangeTheNextOne()
    {
        var (token, _) = _tokens.IssueTeacherToken(42, "T0000042", [1]);
        var first = await _handler.ValidateTokenAsync(token, _parameters);
        var second = await _handler.ValidateTokenAsync(token, _parameters);

        first.ClaimsIdentity.AddClaim(new Claim("role", "admin"));
        second.ClaimsIdentity.AddClaim(new Claim("role", "operator"));
        var third = await _handler.ValidateTokenAsync(token, _parameters);

        Assert.True(third.IsValid);
        Assert.False(third.ClaimsIdentity.HasClaim("role", "admin"));
        Assert.False(third.ClaimsIdentity.HasClaim("role", "operator"));
        Assert.True(third.ClaimsIdentity.HasClaim("role", TokenService.TeacherRole));
    }
}
