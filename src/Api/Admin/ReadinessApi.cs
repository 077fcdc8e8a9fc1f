using ExamConsole.Data.Telemetry.Readiness;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace ExamConsole.Api.Admin;

/// <summary>The deployment document's pre-deployment checklist, evaluated live.</summary>
public static class ReadinessApi
{
    public static RouteGroupBuilder MapReadinessApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("").WithTags("Operator: readiness");
        group.MapGet("/readiness", ReadinessAsync);
        return group;
    }

    public static async Task<Ok<ReadinessResponse>> ReadinessAsync(ReadinessService readiness, TimeProvider time, CancellationToken cancellationToken)
    {
        var checks = await readiness.EvaluateAsync(cancellationToken);
        return TypedResults.Ok(new ReadinessResponse(time.GetUtcNow(), checks.All(c => c.Ok), checks.Select(ReadinessCheckResponse.From).ToList()));
    }
}
