using System.Security.Claims;
using ExamConsole.Data.Admin;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;

namespace ExamConsole.Api.Admin;

/// <summary>Who is acting, and the audit entry of what they changed.</summary>
internal static class AdminChanges
{
    /// <summary>The administrator's username: the token's subject.</summary>
    public static string ActorOf(ClaimsPrincipal user) =>
        user.FindFirstValue(JwtRegisteredClaimNames.Sub)
        ?? throw new InvalidOperationException("The admin policies let through a principal without a subject.");

    /// <summary>
    /// Writes the audit entry of a change that has already been made. Not cancelled with the request:
    /// a caller hanging up must not leave a change unrecorded (the command timeout bounds the wait).
    /// If the database refuses, the change stays made and answered as such, and the entry goes to the
    /// error log in full instead, so that it is not lost.
    /// </summary>
    public static async Task RecordAsync(IAuditLog audit, ILogger logger, string actor, string action, object? before, object? after, long? settingsVersion = null)
    {
        try
        {
            await audit.WriteAsync(actor, action, before, after, settingsVersion, CancellationToken.None);
        }
        catch (Exception ex)
        {
            AdminLog.AuditWriteFailed(logger, ex, actor, action, before, after);
        }
    }
}
