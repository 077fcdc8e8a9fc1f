namespace ExamConsole.Data.Pool;

/// <summary>
/// No connection could be had within the acquire timeout. A <see cref="TimeoutException"/>, so the
/// API answers 503 with Retry-After; the message says what to change.
/// </summary>
public sealed class PoolExhaustedException(string message, Exception? inner = null) : TimeoutException(message, inner)
{
    public static PoolExhaustedException For(PoolSettings settings, int busy, double waitedMs, Exception? inner) =>
        new(busy >= settings.MaxSize
            ? $"The connection pool is exhausted: all {settings.MaxSize} connections stayed busy for {waitedMs:F0} ms. " +
              $"Raise Pool:MaxSize (now {settings.MaxSize}) or Pool:AcquireTimeout (now {settings.AcquireTimeout.TotalMilliseconds:F0} ms), " +
              "look for leaked leases, or shed load with PUT /api/admin/throttle."
            : $"No connection could be opened within Pool:AcquireTimeout ({settings.AcquireTimeout.TotalMilliseconds:F0} ms) although only {busy} of " +
              $"{settings.MaxSize} connections were busy: the database is slow to accept connections or unreachable.",
            inner);
}
