using System.Security.Claims;
using ExamConsole.Api.Infrastructure;
using ExamConsole.Data.Pool;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace ExamConsole.Api.Admin;

/// <summary>
/// The pool as operators see and change it: this node's share and the fleet's budget, changed
/// through <see cref="OperatorActions"/>.
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

    /// <summary>This node's pool: its share of the fleet's budget in maxSize, the budget in fleetMaxSize.</summary>
    public static Ok<PoolSnapshot> GetSnapshot(OperatorActions actions) => TypedResults.Ok(actions.Pool());

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
            return Rejected(rejected.Message, new()
            {
                ["requested"] = rejected.RequestedMax,
                ["serverMaxConnections"] = rejected.ServerMaxConnections,
                ["reserve"] = rejected.Reserve,
                ["allowed"] = rejected.Allowed,
            });
        }
        catch (PoolShareRejectedException tooSmall)
        {
            return Rejected(tooSmall.Message, new()
            {
                ["requested"] = tooSmall.RequestedMax,
                ["minSize"] = tooSmall.MinSizePerNode,
                ["liveNodes"] = tooSmall.LiveNodes,
                ["share"] = tooSmall.Share,
            });
        }
    }

    /// <summary>409 with the rule's words and the numbers behind them.</summary>
    private static ProblemHttpResult Rejected(string detail, Dictionary<string, object?> numbers) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Pool size rejected", extensions: numbers);
}
