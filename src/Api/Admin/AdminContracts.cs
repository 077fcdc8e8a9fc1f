using System.Text.Json;
using System.Text.Json.Serialization;

namespace ExamConsole.Api.Admin;

// HTTP contracts of API.md's operator endpoints. Request fields are nullable so that a missing
// field is reported as a validation error naming it, not as a JSON exception.

public sealed record AdminLoginRequest(string? Username, string? Password);

public sealed record AdminLoginResponse(string Token, DateTimeOffset ExpiresAt, string Role);

/// <summary>Source-generated serialization of the operator contracts.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(AdminLoginRequest))]
[JsonSerializable(typeof(AdminLoginResponse))]
public sealed partial class AdminJsonContext : JsonSerializerContext;
