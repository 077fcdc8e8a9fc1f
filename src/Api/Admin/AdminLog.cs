using Microsoft.Extensions.Logging;

namespace ExamConsole.Api.Admin;

/// <summary>The log messages of the operator API, in one place.</summary>
internal static partial class AdminLog
{
    public const string Category = "ExamConsole.Api.Admin";

    [LoggerMessage(Level = LogLevel.Information, Message = "Administrator '{Username}' signed in (role {Role})")]
    public static partial void LoginSucceeded(ILogger logger, string username, string role);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Administrator sign-in refused for '{Username}': unknown username or wrong password")]
    public static partial void LoginFailed(ILogger logger, string username);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Administrator sign-in throttled for '{Username}': too many attempts, next allowed in {RetryAfterSeconds:F0} s")]
    public static partial void LoginThrottled(ILogger logger, string username, double retryAfterSeconds);
}
