using System.Text.Json;
using ExamConsole.Data.Entities;
using ExamConsole.Data.Fleet;
using Microsoft.EntityFrameworkCore;

namespace ExamConsole.Data.Admin;

/// <summary>
/// One audit entry as read back; <see cref="Before"/> and <see cref="After"/> are JSON text. A
/// change of the fleet's desired state carries its <see cref="SettingsVersion"/> and, as read back,
/// when each node applied it.
/// </summary>
public sealed record AuditRecord(long Id, DateTimeOffset At, string Actor, string Action, string? Before, string? After)
{
    public long? SettingsVersion { get; init; }

    public IReadOnlyList<SettingsAcknowledgement> Applied { get; init; } = [];
}

/// <summary>The audit log as the operator actions write to it and the views read it.</summary>
public interface IAuditLog
{
    /// <summary>Records <paramref name="action"/> by <paramref name="actor"/>, with the states before and after it serialized as JSON.</summary>
    Task<AuditRecord> WriteAsync(string actor, string action, object? before, object? after, CancellationToken cancellationToken);

    /// <summary>Records a change of the fleet's desired state, which became <paramref name="settingsVersion"/>.</summary>
    Task<AuditRecord> WriteAsync(string actor, string action, object? before, object? after, long? settingsVersion, CancellationToken cancellationToken);

    /// <summary>The newest entries first.</summary>
    Task<IReadOnlyList<AuditRecord>> ListAsync(int limit, CancellationToken cancellationToken = default);
}

/// <summary>The entries of a time range, for the history's report.</summary>
public interface IAuditRange
{
    /// <summary>Entries from <paramref name="from"/> (inclusive) to <paramref name="to"/> (exclusive), oldest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<AuditRecord>> RangeAsync(DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken);
}

/// <summary>
/// The record of what administrators changed. It lives with the data, not the HTTP layer, so that
/// every place that changes the deployment (operator API, console pages, the pool engine acting on
/// its own) writes to the same log without depending on the API project.
/// </summary>
public sealed class AuditLog(ExamDb db, FleetStore fleet, TimeProvider time) : IAuditLog, IAuditRange
{
    public const int MaxListLimit = 1000;
    public const int MaxActorLength = AdminAccount.MaxUsernameLength;
    public const int MaxActionLength = 64;

    /// <summary>camelCase, as the API shows these values.</summary>
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Records <paramref name="action"/> by <paramref name="actor"/>, with the states before and after it serialized as JSON.</summary>
    public Task<AuditRecord> WriteAsync(string actor, string action, object? before, object? after, CancellationToken cancellationToken) =>
        WriteAsync(actor, action, before, after, null, cancellationToken);

    public async Task<AuditRecord> WriteAsync(string actor, string action, object? before, object? after, long? settingsVersion, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        ArgumentException.ThrowIfNullOrWhiteSpace(action);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(actor.Length, MaxActorLength, nameof(actor));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(action.Length, MaxActionLength, nameof(action));

        var now = time.GetUtcNow();
        var entry = new AuditEntry
        {
            // PostgreSQL keeps microseconds; cut the rest so the returned record equals what is read back.
            At = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % 10), TimeSpan.Zero),
            Actor = actor,
            Action = action,
            Before = ToJson(before),
            After = ToJson(after),
            SettingsVersion = settingsVersion,
        };
        await using var lease = await db.LeaseAsync(cancellationToken);
        var context = lease.Context;
        context.AuditEntries.Add(entry);
        await context.SaveChangesAsync(cancellationToken);
        return new AuditRecord(entry.Id, entry.At, entry.Actor, entry.Action, entry.Before, entry.After) { SettingsVersion = settingsVersion };
    }

    /// <summary>The latest <paramref name="limit"/> entries, newest first.</summary>
    public async Task<IReadOnlyList<AuditRecord>> ListAsync(int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, MaxListLimit);
        await using var lease = await db.LeaseAsync(cancellationToken);
        var context = lease.Context;
        var records = await context.AuditEntries.AsNoTracking()
            .OrderByDescending(e => e.At).ThenByDescending(e => e.Id)
            .Take(limit)
            .Select(e => new AuditRecord(e.Id, e.At, e.Actor, e.Action, e.Before, e.After) { SettingsVersion = e.SettingsVersion })
            .ToListAsync(cancellationToken);
        var versions = records.Where(r => r.SettingsVersion is not null).Select(r => r.SettingsVersion!.Value).ToHashSet();
        if (versions.Count == 0)
        {
            return records;
        }
        var applied = (await fleet.AcknowledgementsAsync(versions, cancellationToken)).ToLookup(a => a.Version);
        return records.Select(r => r.SettingsVersion is { } v ? r with { Applied = applied[v].ToList() } : r).ToList();
    }

    public async Task<IReadOnlyList<AuditRecord>> RangeAsync(DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, MaxListLimit);
        await using var lease = await db.LeaseAsync(cancellationToken);
        return await lease.Context.AuditEntries.AsNoTracking()
            .Where(e => e.At >= from && e.At < to)
            .OrderBy(e => e.At).ThenBy(e => e.Id)
            .Take(limit)
            .Select(e => new AuditRecord(e.Id, e.At, e.Actor, e.Action, e.Before, e.After) { SettingsVersion = e.SettingsVersion })
            .ToListAsync(cancellationToken);
    }

    private static string? ToJson(object? value) => value is null ? null : JsonSerializer.Serialize(value, value.GetType(), Json);
}
