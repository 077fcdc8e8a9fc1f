using System.Security.Claims;
using ExamConsole.Api.Admin;

namespace ExamConsole.Console.Components.Layout;

/// <summary>Who is looking at the console, cascaded by the layout: viewers see everything, only operators act.</summary>
public sealed record ConsoleUser(string Name, string Role)
{
    public bool CanAct => Role == AdminPolicies.OperatorRole;

    public static ConsoleUser? From(ClaimsPrincipal user)
    {
        if (user.Identity?.IsAuthenticated != true || user.Identity.Name is not { } name)
        {
            return null;
        }
        var role = user.IsInRole(AdminPolicies.OperatorRole) ? AdminPolicies.OperatorRole
            : user.IsInRole(AdminPolicies.ViewerRole) ? AdminPolicies.ViewerRole
            : null;
        return role is null ? null : new ConsoleUser(name, role);
    }
}
