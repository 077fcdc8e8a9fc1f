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

    [LoggerMessage(Level = LogLevel.Information, Message = "'{Actor}' resized the pool from max {OldMax}/min {OldMin} to max {NewMax}/min {NewMin}")]
    public static partial void PoolResized(ILogger logger, string actor, int oldMax, int oldMin, int newMax, int newMin);

    [LoggerMessage(Level = LogLevel.Warning, Message = "'{Actor}' asked for a pool of max {RequestedMax}/min {RequestedMin}; refused: {Reason}")]
    public static partial void PoolResizeRefused(ILogger logger, string actor, int requestedMax, int requestedMin, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "'{Actor}' set the admission gate to {Mode}: limit {Limit} in force, queue limit {QueueLimit} (null: none)")]
    public static partial void ThrottleSet(ILogger logger, string actor, string mode, int? limit, int? queueLimit);

    [LoggerMessage(Level = LogLevel.Error, Message = "The change was made but its audit entry could not be written; recorded here instead: actor '{Actor}', action {Action}, before {Before}, after {After}")]
    public static partial void AuditWriteFailed(ILogger logger, Exception exception, string actor, string action, object? before, object? after);

    [LoggerMessage(Level = LogLevel.Information, Message = "A session of administrator '{Username}' was refused: {Reason}")]
    public static partial void SessionRefused(ILogger logger, string username, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The security stamp of administrator '{Username}' could not be read: {Consequence} until the database answers (next try in {RetrySeconds:F0} s)")]
    public static partial void StampReadFailed(ILogger logger, Exception exception, string username, string consequence, double retrySeconds);
}
