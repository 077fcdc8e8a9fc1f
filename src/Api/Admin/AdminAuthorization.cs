using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;

namespace ExamConsole.Api.Admin;

/// <summary>
/// Minimal registrations of the admin policies so that the telemetry endpoints run on their own.
/// The admin access work registers the real ones; a policy already registered is left as it is, so
/// either registration can stay when the two meet.
/// </summary>
public static class AdminAuthorization
{
    public static IServiceCollection AddAdminPolicies(this IServiceCollection services)
    {
        services.AddAuthorization();
        services.Configure<AuthorizationOptions>(options =>
        {
            if (options.GetPolicy(AdminPolicies.Read) is null)
            {
                options.AddPolicy(AdminPolicies.Read, policy => policy.RequireAuthenticatedUser().RequireRole(AdminPolicies.OperatorRole, AdminPolicies.ViewerRole));
            }
            if (options.GetPolicy(AdminPolicies.Act) is null)
            {
                options.AddPolicy(AdminPolicies.Act, policy => policy.RequireAuthenticatedUser().RequireRole(AdminPolicies.OperatorRole));
            }
        });
        return services;
    }
}
