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
/// another. A token is only taken from memory under the validation parameters it was accepted with
/// (the same signing key object, issuer and audience): a rotated key or another scheme's
/// parameters get the full check. A hit hands out a copy of the identity, never the cached one.
/// Each remembered token costs a few kilobytes (the parsed token and the identity).
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
        if (_accepted.TryGetValue(token, out Accepted? known) && known!.Expires > _time.GetUtcNow() && known.SameCheck(validationParameters))
        {
            return Copy(known.Result);
        }
        var result = await base.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid && result.SecurityToken is { ValidTo: var validTo } && validTo > DateTime.MinValue)
        {
            var expires = new DateTimeOffset(DateTime.SpecifyKind(validTo, DateTimeKind.Utc));
            // A copy: the caller may change the identity it was given.
            var remembered = new Accepted(Copy(result), expires, validationParameters.IssuerSigningKey, validationParameters.ValidIssuer, validationParameters.ValidAudience);
            _accepted.Set(token, remembered, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpiration = expires });
        }
        return result;
    }

    public void Dispose() => _accepted.Dispose();

    private sealed record Accepted(TokenValidationResult Result, DateTimeOffset Expires, SecurityKey? Key, string? Issuer, string? Audience)
    {
        /// <summary>The parameters are a clone per request, but their key is the same object while it is not rotated.</summary>
        public bool SameCheck(TokenValidationParameters p) =>
            ReferenceEquals(p.IssuerSigningKey, Key) && p.ValidIssuer == Issuer && p.ValidAudience == Audience;
    }

    private static TokenValidationResult Copy(TokenValidationResult result) => new()
    {
        IsValid = true,
        ClaimsIdentity = result.ClaimsIdentity.Clone(),
        SecurityToken = result.SecurityToken,
        Issuer = result.Issuer,
        TokenType = result.TokenType,
        TokenContext = result.TokenContext,
    };
}
