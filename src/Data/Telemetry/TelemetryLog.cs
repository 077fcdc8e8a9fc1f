using Microsoft.Extensions.Logging;

namespace ExamConsole.Data.Telemetry;

/// <summary>The log messages of the server telemetry, in one place.</summary>
internal static partial class TelemetryLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the server's figures failed ({ExceptionType}: {Message}); the pool snapshot shows the last ones until a sample succeeds again")]
    public static partial void SamplingFailed(ILogger logger, string exceptionType, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reading the server's figures works again")]
    public static partial void SamplingRecovered(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Readiness check {Check} could not be evaluated ({ExceptionType}: {Message})")]
    public static partial void CheckFailed(ILogger logger, string check, string exceptionType, string message);
}
