using System.Security.Claims;
using ExamConsole.Api.Admission;
using ExamConsole.Api.Auth;
using ExamConsole.Api.Fleet;
using ExamConsole.Api.History;
using ExamConsole.Api.Resilience;
using ExamConsole.Api.Submissions;
using ExamConsole.Data.Admin;
using ExamConsole.Data.Fleet;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace ExamConsole.Api.Admin;

/// <summary>The operator API: administrators' sign-in, their two policies and the admin endpoint groups.</summary>
public static class AdminApi
{
    public const string Prefix = "/api/admin";

    /// <summary>
    /// Registers the admin login throttle, the <see cref="AdminPolicies"/> and the admin contracts'
    /// serialization. No <c>IPoolEngine</c>: the engine registers itself, and the pool endpoints
    /// answer 503 on a node without one.
    /// </summary>
    public static IHostApplicationBuilder AddAdminApi(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddKeyedSingleton(LoginThrottle.Administrators, (sp, _) =>
        {
            var admin = sp.GetRequiredService<IOptions<AdminOptions>>().Value;
            return new LoginThrottle(admin.LoginAttemptsPerWindow, admin.LoginWindow);
        });
        services.AddSingleton<AdminSignIn>();
        services.AddSingleton<SecurityStampCheck>();
        // The token cache (CachingTokenHandler) sits inside the handler's validation: this event runs
        // on every request, cached token or not, so a revoked session ends however often it was used.
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure(options => options.Events.OnTokenValidated = CheckAdminSessionAsync);
        // What the operator actions act on, each seen through the interface of what an operator may do with it.
        services.AddSingleton<IAdmissionLimits>(sp => sp.GetRequiredService<AdmissionController>());
        services.AddSingleton<ICircuitControl>(sp => sp.GetRequiredService<DatabaseResilience>());
        services.AddSingleton<ISubmissionFallback, SubmissionFallback>();
        services.AddSingleton<SettingsApplier>();
        services.AddSingleton<NodeFiguresSource>();
        services.AddSingleton<NodeIdentity>();
        services.AddSingleton<FleetMembership>();
        services.AddHostedService(sp => sp.GetRequiredService<FleetMembership>());
        services.AddSingleton<IFleetSettings, FleetChanges>();
        services.AddSingleton<IFleetBudget>(sp => sp.GetRequiredService<IFleetSettings>());
        services.AddSingleton<OperatorActions>();
        services.AddSingleton<EmergencyPlaybook>();
        services.AddAuthorizationBuilder()
            .AddPolicy(AdminPolicies.Read, policy => policy.RequireAuthenticatedUser()
                .RequireRole(AdminPolicies.OperatorRole, AdminPolicies.ViewerRole))
            .AddPolicy(AdminPolicies.Act, policy => policy.RequireAuthenticatedUser()
                .RequireRole(AdminPolicies.OperatorRole));
        services.ConfigureHttpJsonOptions(options =>
            options.SerializerOptions.TypeInfoResolverChain.Insert(0, AdminJsonContext.Default));
        return builder;
    }

    /// <summary>
    /// Refuses (401) an operator's or viewer's token whose account was deleted, demoted or given a new
    /// password since it was issued. Teachers' tokens pass untouched: no database trip on their path.
    /// </summary>
    public static async Task CheckAdminSessionAsync(TokenValidatedContext context)
    {
        var principal = context.Principal;
        var role = principal?.FindFirstValue("role");
        if (principal is null || role is not (AdminPolicies.OperatorRole or AdminPolicies.ViewerRole))
        {
            return;
        }
        if (principal.FindFirstValue(JwtRegisteredClaimNames.Sub) is not { Length: > 0 } username)
        {
            context.Fail("An administrator's token without a subject.");
            return;
        }
        var issuedAt = context.SecurityToken is JsonWebToken token
            ? new DateTimeOffset(DateTime.SpecifyKind(token.IssuedAt, DateTimeKind.Utc))
            : DateTimeOffset.MinValue;
        var check = context.HttpContext.RequestServices.GetRequiredService<SecurityStampCheck>();
        var verdict = await check.CheckAsync(username, role, principal.FindFirstValue(AdminPolicies.StampClaim), issuedAt, context.HttpContext.RequestAborted);
        if (verdict is not (StampVerdict.Current or StampVerdict.Unverified))
        {
            context.Fail($"The administrator's session has ended ({verdict}): sign in again.");
        }
    }

    /// <summary>
    /// Maps every admin group under one parent that requires <see cref="AdminPolicies.Read"/>, so that
    /// an admin route cannot be left open by forgetting a policy; login opts out, and the routes that
    /// change something add <see cref="AdminPolicies.Act"/>.
    /// </summary>
    public static RouteGroupBuilder MapAdminApi(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup(Prefix).RequireAuthorization(AdminPolicies.Read);
        admin.MapAdminAuthApi();
        admin.MapPoolApi();
        admin.MapAuditApi();
        admin.MapServerApi();
        admin.MapReadinessApi();
        admin.MapOperatorApi();
        admin.MapFleetApi();
        admin.MapHistoryApi();
        return admin;
    }
}
