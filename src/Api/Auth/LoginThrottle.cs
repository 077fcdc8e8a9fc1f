using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace ExamConsole.Api.Auth;

/// <summary>Limits login attempts per teacher code (429 beyond), so a code cannot be guessed at speed.</summary>
public sealed class LoginThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;
    private readonly TimeSpan _window;

    public LoginThrottle(IOptions<AuthOptions> options)
    {
        var o = options.Value;
        _window = o.LoginWindow;
        _limiter = PartitionedRateLimiter.Create<string, string>(code => RateLimitPartition.GetFixedWindowLimiter(
            code,
            _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = o.LoginAttemptsPerWindow,
                Window = o.LoginWindow,
                QueueLimit = 0,
            }));
    }

    /// <summary>Takes one attempt for <paramref name="teacherCode"/>; when refused, says how long to wait.</summary>
    public bool TryAcquire(string teacherCode, out TimeSpan retryAfter)
    {
        using var lease = _limiter.AttemptAcquire(teacherCode.ToUpperInvariant());
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
