using System.Collections.Concurrent;
using ExamConsole.Data.Admin;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ExamConsole.Api.Admin;

/// <summary>What the check made of an administrator's token or cookie.</summary>
public enum StampVerdict
{
    /// <summary>The account exists with the stamp and the role the session claims.</summary>
    Current,

    /// <summary>The database could not be read and this node knows nothing of the account yet: the signed session is let through.</summary>
    Unverified,

    /// <summary>The session carries no stamp (issued before stamps existed): sign in again.</summary>
    NoStamp,

    /// <summary>No account of that name any more.</summary>
    AccountDeleted,

    /// <summary>The account's stamp changed: its password or role changed since the session began.</summary>
    StampChanged,

    /// <summary>The account no longer has the role the session claims.</summary>
    RoleChanged,
}

/// <summary>
/// Checks on every authenticated administrator request, bearer token or console cookie, that the
/// account still exists with the security stamp and the role the session was issued with, so that
/// a deleted, demoted or re-passworded account is signed out everywhere within
/// <see cref="AdminOptions.StampCacheDuration"/> plus one read.
/// </summary>
/// <remarks>
/// <para>Per node, each account is read at most once per <see cref="AdminOptions.StampCacheDuration"/>,
/// one read at a time (concurrent requests share it). A session is only judged by a read that began
/// after it was issued: a new sign-in is never refused by what this node read before it, and a
/// revocation is seen by the first read that begins after it. Only signed, unexpired tokens get
/// here, so the cache holds real accounts only.</para>
/// <para>When the database cannot be read (each try bounded by <see cref="LookupTimeout"/>), the
/// last known state stays in force and the next try comes a period later, so an outage costs at most
/// one bounded wait per account and period, never a 500. A session this node cannot judge from what
/// it knows (it never read the account, or the session is newer than its last read) is let through
/// as signed (<see cref="StampVerdict.Unverified"/>, logged): during an outage the operators are the
/// ones who must act, and a revoked session would need an outage that began before this node ever
/// read the account. Teachers' tokens never come here.</para>
/// </remarks>
public sealed class SecurityStampCheck
{
    /// <summary>The longest wait for the database's answer before the last known state is used.</summary>
    public static readonly TimeSpan LookupTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Token issue times are whole seconds: a read proves itself newer than a session once it began a second after the session's issue time.</summary>
    private static readonly TimeSpan IssuedAtPrecision = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.Ordinal);
    private readonly AdminAccounts _accounts;
    private readonly TimeSpan _cacheDuration;
    private readonly TimeSpan _retryAfterFailure;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public SecurityStampCheck(AdminAccounts accounts, IOptions<AdminOptions> options, TimeProvider time, ILoggerFactory loggers)
    {
        _accounts = accounts;
        _cacheDuration = options.Value.StampCacheDuration;
        // Even with no cache, a database that does not answer is not asked again on every request.
        _retryAfterFailure = _cacheDuration > LookupTimeout ? _cacheDuration : LookupTimeout;
        _time = time;
        _logger = loggers.CreateLogger(AdminLog.Category);
    }

    /// <summary>Whether a session of <paramref name="username"/> as <paramref name="role"/>, with <paramref name="stamp"/>, issued at <paramref name="issuedAt"/>, still stands.</summary>
    public async ValueTask<StampVerdict> CheckAsync(string username, string role, string? stamp, DateTimeOffset issuedAt, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(stamp))
        {
            return Refused(username, StampVerdict.NoStamp);
        }
        // A read that began after the request arrived is newer than the session in any case.
        var now = _time.GetUtcNow();
        var newerThan = issuedAt + IssuedAtPrecision < now ? issuedAt + IssuedAtPrecision : now;
        var known = await ReadAsync(username, newerThan, cancellationToken);
        if (known is null || known.ReadAt < newerThan)
        {
            // Only when the database could not be read: nothing this node knows can judge the session.
            return StampVerdict.Unverified;
        }
        var verdict = known.Account switch
        {
            null => StampVerdict.AccountDeleted,
            { SecurityStamp: var current } when current != stamp => StampVerdict.StampChanged,
            { Role: var current } when current != role => StampVerdict.RoleChanged,
            _ => StampVerdict.Current,
        };
        return verdict == StampVerdict.Current ? verdict : Refused(username, verdict);
    }

    /// <summary>
    /// The account as read by a read that began at <paramref name="newerThan"/> or later: the cached one
    /// while fresh, else a new one. While the database does not answer, the last known (or null).
    /// </summary>
    private async ValueTask<Known?> ReadAsync(string username, DateTimeOffset newerThan, CancellationToken cancellationToken)
    {
        var slot = _slots.GetOrAdd(username, _ => new Slot());
        while (true)
        {
            Task<Known?> reading;
            DateTimeOffset readingSince;
            lock (slot)
            {
                var now = _time.GetUtcNow();
                if (now < slot.FreshUntil && (slot.LastFailed || slot.Known?.ReadAt >= newerThan))
                {
                    return slot.Known;
                }
                if (slot.Reading is null)
                {
                    slot.ReadingSince = now;
                    // Run elsewhere, so that its own lock at the end never comes before this assignment.
                    slot.Reading = Task.Run(() => RefreshAsync(username, slot, now));
                }
                reading = slot.Reading;
                readingSince = slot.ReadingSince;
            }
            var result = await reading.WaitAsync(cancellationToken);
            if (readingSince >= newerThan || result?.ReadAt != readingSince)
            {
                // The read this request joined is new enough, or it failed and the last known is all there is.
                return result;
            }
            // It began before this session existed: one more, which begins now.
        }
    }

    private async Task<Known?> RefreshAsync(string username, Slot slot, DateTimeOffset startedAt)
    {
        try
        {
            using var timeout = new CancellationTokenSource(LookupTimeout, _time);
            var read = new Known(await _accounts.FindStateAsync(username, timeout.Token), startedAt);
            lock (slot)
            {
                slot.Known = read;
                slot.LastFailed = false;
                slot.FreshUntil = startedAt + _cacheDuration;
                slot.Reading = null;
            }
            return read;
        }
        catch (Exception exception)
        {
            // Whatever failed (refused connection, exhausted pool, timeout), the last known state stands a while longer.
            Known? last;
            lock (slot)
            {
                last = slot.Known;
                slot.LastFailed = true;
                slot.FreshUntil = startedAt + _retryAfterFailure;
                slot.Reading = null;
            }
            AdminLog.StampReadFailed(_logger, exception, username, last is null ? "its signed sessions are let through" : "the last known stamp stays in force", _retryAfterFailure.TotalSeconds);
            return last;
        }
    }

    private StampVerdict Refused(string username, StampVerdict verdict)
    {
        AdminLog.SessionRefused(_logger, username, verdict switch
        {
            StampVerdict.NoStamp => "it was issued without a security stamp (sign in again)",
            StampVerdict.AccountDeleted => "the account was deleted",
            StampVerdict.StampChanged => "the account's password or role changed since it was issued",
            _ => "the account no longer has the role it claims",
        });
        return verdict;
    }

    /// <summary>An account as read by a read that began at <see cref="ReadAt"/>; <see cref="Account"/> null when there was none.</summary>
    private sealed record Known(AdminAccountState? Account, DateTimeOffset ReadAt);

    /// <summary>What this node knows of one account; guarded by locking the slot itself.</summary>
    private sealed class Slot
    {
        public Known? Known { get; set; }
        public bool LastFailed { get; set; }
        public DateTimeOffset FreshUntil { get; set; }
        public Task<Known?>? Reading { get; set; }
        public DateTimeOffset ReadingSince { get; set; }
    }
}
