using System.Security.Claims;
using ExamConsole.Api.Admission;
using ExamConsole.Api.Infrastructure;
using ExamConsole.Data.Pool;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace ExamConsole.Api.Admin;

/// <summary>
/// Mode "fixed" (also when absent, as before modes existed): maxConcurrent is the limit, null lifts it.
/// Mode "adaptive": the limit follows measured throughput, starting from maxConcurrent, or from the limit in force when null.
/// </summary>
public sealed record ThrottleRequest(int? MaxConcurrent, int? QueueLimit, string? Mode = null);

/// <summary><c>limit</c> is the limit in force in either mode; <c>maxConcurrent</c> repeats it for clients older than the modes.</summary>
public sealed record ThrottleResponse(
    string Mode,
    int? Limit,
    int? MaxConcurrent,
    int? QueueLimit,
    int InFlight,
    int Queued,
    long RejectedTotal,
    int AdaptiveFloor,
    int AdaptiveCeiling)
{
    public static ThrottleResponse From(AdmissionState s) =>
        new(OperatorApi.ModeName(s.Mode), s.MaxConcurrent, s.MaxConcurrent, s.QueueLimit, s.InFlight, s.Queued, s.RejectedTotal, s.AdaptiveFloor, s.AdaptiveCeiling);
}

public sealed record FallbackRequest(bool? Enabled);

public sealed record DrainResponse(int Replayed, int SpoolDepth);

public sealed record LeasesResponse(IReadOnlyList<LeaseInfo> OverThreshold, IReadOnlyList<LeakEvent> Events, int Active);

/// <summary>The operator endpoints of the resilience controls: throttle, circuit, spool, playbook, leases.</summary>
public static class OperatorApi
{
    public static RouteGroupBuilder MapOperatorApi(this IEndpointRouteBuilder admin)
    {
        var group = admin.MapGroup("").WithTags("Operator: controls");
        group.MapGet("/throttle", (OperatorActions actions) => TypedResults.Ok(ThrottleResponse.From(actions.Throttle())));
        group.MapPut("/throttle", SetThrottleAsync).RequireAuthorization(AdminPolicies.Act);
        group.MapGet("/circuit", (OperatorActions actions) => TypedResults.Ok(actions.Circuit()));
        group.MapPost("/circuit/open", async (ClaimsPrincipal user, OperatorActions actions) =>
            TypedResults.Ok(await actions.OpenCircuitAsync(AdminChanges.ActorOf(user)))).RequireAuthorization(AdminPolicies.Act);
        group.MapPost("/circuit/close", async (ClaimsPrincipal user, OperatorActions actions) =>
            TypedResults.Ok(await actions.CloseCircuitAsync(AdminChanges.ActorOf(user)))).RequireAuthorization(AdminPolicies.Act);
        group.MapPut("/fallback", SetFallbackAsync).RequireAuthorization(AdminPolicies.Act);
        group.MapPost("/spool/drain", DrainAsync).RequireAuthorization(AdminPolicies.Act);
        group.MapGet("/pool/leases", (ILeaseWatch leases) => TypedResults.Ok(new LeasesResponse(leases.SuspectedLeaks(), leases.LeakEvents(), leases.ActiveLeases().Count)));
        group.MapGet("/playbook", async (EmergencyPlaybook playbook, CancellationToken ct) => TypedResults.Ok(await playbook.StepsAsync(ct)));
        group.MapPost("/playbook/{step}/apply", ApplyAsync).RequireAuthorization(AdminPolicies.Act);
        group.MapPost("/playbook/{step}/revert", RevertAsync).RequireAuthorization(AdminPolicies.Act);
        return group;
    }

    public static async Task<Results<Ok<ThrottleResponse>, ValidationProblem>> SetThrottleAsync(ThrottleRequest request, ClaimsPrincipal user, OperatorActions actions)
    {
        if (ValidateThrottle(request, actions.Throttle()) is { Count: > 0 } errors)
        {
            return Problems.Invalid(errors);
        }
        var state = await actions.SetThrottleAsync(AdminChanges.ActorOf(user), ParseMode(request.Mode)!.Value, request.MaxConcurrent, request.QueueLimit);
        return TypedResults.Ok(ThrottleResponse.From(state));
    }

    public static string ModeName(AdmissionMode mode) => mode == AdmissionMode.Adaptive ? "adaptive" : "fixed";

    /// <summary>"fixed" or absent: fixed; "adaptive": adaptive; anything else: null.</summary>
    public static AdmissionMode? ParseMode(string? mode) => mode switch
    {
        null or "fixed" => AdmissionMode.Fixed,
        "adaptive" => AdmissionMode.Adaptive,
        _ => null,
    };

    /// <summary>The limits' errors by field (null lifts a limit); empty when they make sense. The console's dialog checks the same.</summary>
    public static Dictionary<string, string[]> ValidateThrottle(ThrottleRequest request, AdmissionState now)
    {
        var errors = new Dictionary<string, string[]>();
        var mode = ParseMode(request.Mode);
        if (mode is null)
        {
            errors["mode"] = [$"mode must be \"fixed\" or \"adaptive\" (got \"{request.Mode}\")."];
        }
        else if (mode == AdmissionMode.Adaptive)
        {
            if (request.MaxConcurrent is { } start && (start < now.AdaptiveFloor || start > now.AdaptiveCeiling))
            {
                errors["maxConcurrent"] = [$"In adaptive mode maxConcurrent is where the limit starts: between the floor {now.AdaptiveFloor} and the ceiling {now.AdaptiveCeiling} (Admission:AdaptiveFloor, AdaptiveCeiling), or null to start from the limit in force (got {start})."];
            }
        }
        else if (request.MaxConcurrent is < 1 or > AdmissionOptions.LimitMax)
        {
            errors["maxConcurrent"] = [$"maxConcurrent must be between 1 and {AdmissionOptions.LimitMax}, or null to lift the limit (got {request.MaxConcurrent})."];
        }
        if (request.QueueLimit is < 0 or > AdmissionOptions.LimitMax)
        {
            errors["queueLimit"] = [$"queueLimit must be between 0 and {AdmissionOptions.LimitMax}, or null to lift the limit (got {request.QueueLimit})."];
        }
        return errors;
    }

    public static async Task<Results<Ok<CircuitStatus>, ValidationProblem>> SetFallbackAsync(FallbackRequest request, ClaimsPrincipal user, OperatorActions actions)
    {
        if (request.Enabled is not { } enabled)
        {
            return Problems.Invalid("enabled", "enabled (true or false) is required.");
        }
        return TypedResults.Ok(await actions.SetForceFallbackAsync(AdminChanges.ActorOf(user), enabled));
    }

    public static async Task<Ok<DrainResponse>> DrainAsync(ClaimsPrincipal user, OperatorActions actions, CancellationToken cancellationToken)
    {
        var replayed = await actions.DrainSpoolAsync(AdminChanges.ActorOf(user), cancellationToken);
        return TypedResults.Ok(new DrainResponse(replayed, actions.Circuit().SpoolDepth));
    }

    public static async Task<Results<Ok<IReadOnlyList<PlaybookStep>>, ProblemHttpResult>> ApplyAsync(string step, ClaimsPrincipal user, EmergencyPlaybook playbook, CancellationToken cancellationToken)
    {
        try
        {
            return TypedResults.Ok(await playbook.ApplyAsync(step, AdminChanges.ActorOf(user), cancellationToken));
        }
        catch (KeyNotFoundException ex)
        {
            return Problems.NotFound(ex.Message);
        }
        catch (PoolSizeRejectedException ex)
        {
            return Problems.Conflict(ex.Message);
        }
    }

    public static async Task<Results<Ok<IReadOnlyList<PlaybookStep>>, ProblemHttpResult>> RevertAsync(string step, ClaimsPrincipal user, EmergencyPlaybook playbook, CancellationToken cancellationToken)
    {
        try
        {
            return TypedResults.Ok(await playbook.RevertAsync(step, AdminChanges.ActorOf(user), cancellationToken));
        }
        catch (InvalidOperationException ex)
        {
            return Problems.Conflict(ex.Message);
        }
    }
}
