using System.Text.Json;
using ExamConsole.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace ExamConsole.Data.Admin;

/// <summary>One audit entry as read back; <see cref="Before"/> and <see cref="After"/> are JSON text.</summary>
public sealed record AuditRecord(long Id, DateTimeOffset At, string Actor, string Action, string? Before, string? After);

/// <summary>The audit log as the operator actions write to it and the views read it.</summary>
public interface IAuditLog
{
    /// <summary>Records <paramref name="action"/> by <paramref name="actor"/>, with the states before and after it serialized as JSON.</summary>
    Task<AuditRecord> WriteAsync(string actor, string action, object? before, object? after, CancellationToken cancellationToken);

    /// <summary>The newest entries first.</summary>
    Task<IReadOnlyList<AuditRecord>> ListAsync(int limit, CancellationToken cancellationToken = default);
}

/// <summary>
/// The record of what administrators changed. It lives with the data, not the HTTP layer, so that
/// every place that changes the deployment (operator API, console pages, the pool engine acting on
/// its own) writes to the same log without depending on the API project.
/// </summary>
public sealed class AuditLog(ExamDb db, TimeProvider time) : IAuditLog
{
    public const int MaxListLimit = 1000;
    public const int MaxActorLength = AdminAccount.MaxUsernameLength;
    public const int MaxActionLength = 64;

    /// <summary>camelCase, as the API shows these values.</summary>
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Records <paramref name="action"/> by <paramref name="actor"/>, with the states before and after it serialized as JSON.</summary>
    public async Task<AuditRecord> WriteAsync(string actor, string action, object? before, object? after, CancellationToken cancellationToken)
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
        };
        await using var lease = await db.LeaseAsync(cancellationToken);
        var context = lease.Context;
        context.AuditEntries.Add(entry);
        await context.SaveChangesAsync(cancellationToken);
        return new AuditRecord(entry.Id, entry.At, entry.Actor, entry.Action, entry.Before, entry.After);
    }

    /// <summary>The latest <paramref name="limit"/> entries, newest first.</summary>
    public async Task<IReadOnlyList<AuditRecord>> ListAsync(int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, MaxListLimit);
        await using var lease = await db.LeaseAsync(cancellationToken);
        var context = lease.Context;
        return await context.AuditEntries.AsNoTracking()
            .OrderByDescending(e => e.At).ThenByDescending(e => e.Id)
            .Take(limit)
            .Select(e => new AuditRecord(e.Id, e.At, e.Actor, e.Action, e.Before, e.After))
            .ToListAsync(cancellationToken);
    }

    private static string? ToJson(object? value) => value is null ? null : JsonSerializer.Serialize(value, value.GetType(), Json);
}
