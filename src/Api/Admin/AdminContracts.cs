using System.Text.Json;
using System.Text.Json.Serialization;
using ExamConsole.Data.Pool;

namespace ExamConsole.Api.Admin;

// HTTP contracts of docs/API.md's operator endpoints. Request fields are nullable so that a missing
// field is reported as a validation error naming it, not as a JSON exception.

public sealed record AdminLoginRequest(string? Username, string? Password);

public sealed record AdminLoginResponse(string Token, DateTimeOffset ExpiresAt, string Role);

public sealed record PoolSizeRequest(int? MaxSize, int? MinSize);

/// <summary>A pool size as the audit log records it before and after a resize.</summary>
public sealed record PoolSize(int MaxSize, int MinSize);

/// <summary>A resize the pool-size rule refused, as the audit log records it after the pool as it stayed.</summary>
public sealed record PoolResizeRefusal(int RequestedMaxSize, int RequestedMinSize, string Refusal);

/// <summary>When one node put a change of the fleet's settings in force.</summary>
public sealed record AuditApplied(string Node, DateTimeOffset AppliedAt);

/// <summary>An audit entry; a change of the fleet's settings has its version and, per node, when it was applied.</summary>
public sealed record AuditEntryResponse(DateTimeOffset At, string Actor, string Action, JsonElement? Before, JsonElement? After, long? SettingsVersion, IReadOnlyList<AuditApplied> Applied);

/// <summary>Source-generated serialization of the operator contracts.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(AdminLoginRequest))]
[JsonSerializable(typeof(AdminLoginResponse))]
[JsonSerializable(typeof(PoolSizeRequest))]
[JsonSerializable(typeof(PoolSnapshot))]
[JsonSerializable(typeof(List<AuditEntryResponse>))]
[JsonSerializable(typeof(ExamConsole.Api.Fleet.FleetResponse))]
public sealed partial class AdminJsonContext : JsonSerializerContext;
