using System.Threading.RateLimiting;

namespace ExamConsole.Api.Auth;

/// <summary>
/// Limits login attempts per account name (429 beyond), so that no password can be guessed at speed.
/// One instance per kind of account, registered as a keyed service (<see cref="Teachers"/>,
/// <see cref="Administrators"/>), each with its own limit.
/// </summary>
public sealed class LoginThrottle : IDisposable
{
    public const string Teachers = "teachers";
    public const string Administrators = "administrators";

    private readonly PartitionedRateLimiter<string> _limiter;
    private readonly TimeSpan _window;

    public LoginThrottle(int attemptsPerWindow, TimeSpan window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attemptsPerWindow, 1);
        _window = window;
        _limiter = PartitionedRateLimiter.Create<string, string>(name => RateLimitPartition.GetFixedWindowLimiter(
            name,
            _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = attemptsPerWindow,
                Window = window,
                QueueLimit = 0,
            }));
    }

    /// <summary>
    /// Takes one attempt for <paramref name="accountName"/>, which the caller has normalized (so that
    /// case variants share one budget); when refused, says how long to wait.
    /// </summary>
    public bool TryAcquire(string accountName, out TimeSpan retryAfter)
    {
        using var lease = _limiter.AttemptAcquire(accountName);
        if (lease.IsAcquired)
        {
            retryAfter = TimeSpan.Zero;
            return true;
        }
        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : _window;
        return false;
    }

    public void Dispose() => _limiter.Dispose();
}
