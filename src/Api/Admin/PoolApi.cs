using System.Security.Claims;
using ExamConsole.Api.Infrastructure;
using ExamConsole.Data.Pool;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace ExamConsole.Api.Admin;

/// <summary>
/// The pool as operators see and change it, over <see cref="IPoolEngine"/>. The engine is taken
/// from DI when present; a node without one answers 503 rather than failing at start.
/// </summary>
public static class PoolApi
{
    public const string ResizeAction = "pool.resize";

    /// <summary>The audit action of a resize the pool-size rule refused.</summary>
    public const string ResizeRefusedAction = "pool.resize.refused";

    public static RouteGroupBuilder MapPoolApi(this IEndpointRouteBuilder admin)
    {
        var group = admin.MapGroup("/pool").WithTags("Pool");
        group.MapGet("", GetSnapshot)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapPut("/size", ResizeAsync)
            .RequireAuthorization(AdminPolicies.Act)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    public static Ok<PoolSnapshot> GetSnapshot(IPoolEngine engine) => TypedResults.Ok(engine.Snapshot());

    public static async Task<Results<Ok<PoolSnapshot>, ValidationProblem, ProblemHttpResult>> ResizeAsync(
        PoolSizeRequest request,
        ClaimsPrincipal user,
        OperatorActions actions,
        CancellationToken cancellationToken)
    {
        if (request is not { MaxSize: { } maxSize, MinSize: { } minSize })
        {
            return Problems.Invalid(PoolSizeRule.CheckBounds(request.MaxSize, request.MinSize));
        }
        // Every other refusal is the rule's, met in OperatorActions, which logs and audits it the same for
        // the console and the API.
        try
        {
            return TypedResults.Ok(await actions.ResizePoolAsync(AdminChanges.ActorOf(user), maxSize, minSize, cancellationToken));
        }
        catch (PoolSizeInvalidException invalid)
        {
            return Problems.Invalid(invalid.Errors.ToDictionary());
        }
        catch (PoolSizeRejectedException rejected)
        {
            return TypedResults.Problem(
                rejected.Message,
                statusCode: StatusCodes.Status409Conflict,
                title: "Pool size rejected",
                extensions: new Dictionary<string, object?>
                {
                    ["requested"] = rejected.RequestedMax,
                    ["serverMaxConnections"] = rejected.ServerMaxConnections,
                    ["reserve"] = rejected.Reserve,
                    ["allowed"] = rejected.Allowed,
                });
        }
    }
}
