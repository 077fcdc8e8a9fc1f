using Microsoft.Extensions.Caching.Memory;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ExamConsole.Api.Auth;

/// <summary>
/// The bearer token handler of the API: a <see cref="JsonWebTokenHandler"/> that remembers the tokens
/// it has accepted until they expire, so that a teacher's token is verified (HMAC, claims parsing)
/// once per node instead of on every request. A profile of the paper endpoint under load put token
/// validation at about a third of the request pipeline's time (BENCHMARKS.md).
/// </summary>
/// <remarks>
/// Only accepted tokens are remembered (a forged or expired one is checked in full every time), each
/// until its own expiry read from the validated token, checked on every hit against
/// <see cref="TimeProvider"/>. The key is the whole token string, so a token is never mistaken for
/// another. One handler serves one scheme: the validation parameters are the scheme's, the same on
/// every call. A hit hands out a copy of the identity, never the cached one.
/// </remarks>
public sealed class CachingTokenHandler : JsonWebTokenHandler, IDisposable
{
    private readonly MemoryCache _accepted;
    private readonly TimeProvider _time;

    /// <param name="time">The clock of the expiry checks.</param>
    /// <param name="capacity">Most tokens remembered (a node's teachers and operators); beyond it, tokens are checked in full.</param>
    public CachingTokenHandler(TimeProvider time, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _time = time;
        _accepted = new MemoryCache(new MemoryCacheOptions { SizeLimit = capacity });
    }

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        if (_accepted.TryGetValue(token, out Accepted? known) && known!.Expires > _time.GetUtcNow())
        {
            return known.Copy();
        }
        var result = await base.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid && result.SecurityToken is { ValidTo: var validTo } && validTo > DateTime.MinValue)
        {
            var expires = new DateTimeOffset(DateTime.SpecifyKind(validTo, DateTimeKind.Utc));
            // A copy: the caller may change the identity it was given.
            _accepted.Set(token, new Accepted(new Accepted(result, expires).Copy(), expires), new MemoryCacheEntryOptions { Size = 1, AbsoluteExpiration = expires });
        }
        return result;
    }

    public void Dispose() => _accepted.Dispose();

    private sealed record Accepted(TokenValidationResult Result, DateTimeOffset Expires)
    {
        public TokenValidationResult Copy() => new()
        {
            IsValid = true,
            ClaimsIdentity = Result.ClaimsIdentity.Clone(),
            SecurityToken = Result.SecurityToken,
            Issuer = Result.Issuer,
            TokenType = Result.TokenType,
            TokenContext = Result.TokenContext,
        };
    }
}
