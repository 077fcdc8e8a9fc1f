using System.Text.Json;
using ExamConsole.Api.Infrastructure;
using ExamConsole.Data.Admin;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace ExamConsole.Api.Admin;

public static class AuditApi
{
    public const int DefaultLimit = 200;

    public static RouteGroupBuilder MapAuditApi(this IEndpointRouteBuilder admin)
    {
        var group = admin.MapGroup("/audit").WithTags("Audit");
        group.MapGet("", ListAsync);
        return group;
    }

    /// <summary>The latest entries, newest first; <paramref name="limit"/> from 1 to <see cref="AuditLog.MaxListLimit"/>.</summary>
    public static async Task<Results<Ok<List<AuditEntryResponse>>, ValidationProblem>> ListAsync(
        int? limit,
        AuditLog audit,
        CancellationToken cancellationToken)
    {
        var take = limit ?? DefaultLimit;
        if (take is < 1 or > AuditLog.MaxListLimit)
        {
            return Problems.Invalid("limit", $"limit must be between 1 and {AuditLog.MaxListLimit} (got {take}).");
        }
        var entries = await audit.ListAsync(take, cancellationToken);
        return TypedResults.Ok(entries.Select(ToResponse).ToList());
    }

    /// <summary>An entry as the API shows it (here and in the history's report).</summary>
    public static AuditEntryResponse ToResponse(AuditRecord e) =>
        new(e.At, e.Actor, e.Action, Parse(e.Before), Parse(e.After), e.SettingsVersion,
            e.Applied.Select(a => new AuditApplied(a.NodeName, a.AppliedAt)).ToList());

    private static JsonElement? Parse(string? json)
    {
        if (json is null)
        {
            return null;
        }
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
