using System.Security.Claims;
using ExamConsole.Api.Infrastructure;
using ExamConsole.Data.Admin;
using ExamConsole.Data.Pool;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace ExamConsole.Api.Admin;

/// <summary>
/// The pool as operators see and change it, over <see cref="IPoolEngine"/>. The engine is taken
/// from DI when present; a node without one answers 503 rather than failing at start.
/// </summary>
public static class PoolApi
{
    public const string ResizeAction = "pool.resize";

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
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        if (Validate(request) is { Count: > 0 } errors)
        {
            return Problems.Invalid(errors);
        }
        var logger = loggers.CreateLogger(AdminLog.Category);
        var actor = AdminChanges.ActorOf(user);
        int maxSize = request.MaxSize!.Value, minSize = request.MinSize!.Value;
        PoolSnapshot after;
        try
        {
            after = await actions.ResizePoolAsync(actor, maxSize, minSize, cancellationToken);
        }
        catch (PoolSizeRejectedException rejected)
        {
            AdminLog.PoolResizeRejected(logger, actor, rejected.RequestedMax, rejected.Allowed);
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
        return TypedResults.Ok(after);
    }

    /// <summary>The request's errors by field; empty when the size makes sense (the server may still refuse it).</summary>
    public static Dictionary<string, string[]> Validate(PoolSizeRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        var range = $"between 1 and {PoolSettings.MaxSizeLimit}";
        if (request.MaxSize is not { } max)
        {
            errors["maxSize"] = [$"maxSize is required: the most connections the pool may hold, {range}."];
        }
        else if (max is < 1 or > PoolSettings.MaxSizeLimit)
        {
            errors["maxSize"] = [$"maxSize must be {range} (got {max})."];
        }
        if (request.MinSize is not { } min)
        {
            errors["minSize"] = ["minSize is required: the connections kept open, from 0 to maxSize."];
        }
        else if (min < 0)
        {
            errors["minSize"] = [$"minSize must not be negative (got {min})."];
        }
        else if (request.MaxSize is { } m && min > m)
        {
            errors["minSize"] = [$"minSize ({min}) must not be above maxSize ({m})."];
        }
        return errors;
    }

}
