using Microsoft.Extensions.Options;

namespace ExamConsole.Data.Telemetry;

/// <summary>The server view, the sampler and the slow-command log (section <c>ServerTelemetry</c>).</summary>
public sealed class ServerTelemetryOptions
{
    public const string SectionName = "ServerTelemetry";

    /// <summary>How often the one server sampler reads the server's figures for the pool snapshot, /metrics and the console (once a second, as the console shows them).</summary>
    public TimeSpan SampleInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>An active query running longer than this is listed as long-running.</summary>
    public TimeSpan LongRunningThreshold { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A command of the application taking longer than this goes to the slow-command log.</summary>
    public TimeSpan SlowCommandThreshold { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How many slow commands the log keeps (the oldest go first).</summary>
    public int SlowCommandCapacity { get; set; } = 500;

    /// <summary>Longest command or query text kept or shown, in characters.</summary>
    public int CommandTextMaxLength { get; set; } = 500;

    /// <summary>Bound of every telemetry query (client timeout and the server's statement_timeout), whole seconds.</summary>
    public TimeSpan QueryTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>Refuses nonsense telemetry settings at start, naming the key and the accepted range.</summary>
public sealed class ServerTelemetryOptionsValidator : IValidateOptions<ServerTelemetryOptions>
{
    public ValidateOptionsResult Validate(string? name, ServerTelemetryOptions o)
    {
        var failures = new List<string>();
        if (o.SampleInterval < TimeSpan.FromMilliseconds(100) || o.SampleInterval > TimeSpan.FromHours(1))
        {
            failures.Add($"ServerTelemetry:SampleInterval must be between 00:00:00.1 and 01:00:00 (got {o.SampleInterval}).");
        }
        if (o.LongRunningThreshold < TimeSpan.Zero)
        {
            failures.Add($"ServerTelemetry:LongRunningThreshold must not be negative (got {o.LongRunningThreshold}).");
        }
        if (o.SlowCommandThreshold < TimeSpan.Zero)
        {
            failures.Add($"ServerTelemetry:SlowCommandThreshold must not be negative (got {o.SlowCommandThreshold}).");
        }
        if (o.SlowCommandCapacity is < 1 or > 100_000)
        {
            failures.Add($"ServerTelemetry:SlowCommandCapacity must be between 1 and 100000 (got {o.SlowCommandCapacity}).");
        }
        if (o.CommandTextMaxLength is < 20 or > 100_000)
        {
            failures.Add($"ServerTelemetry:CommandTextMaxLength must be between 20 and 100000 (got {o.CommandTextMaxLength}).");
        }
        // Npgsql takes command timeouts in whole seconds; a fraction would be silently rounded.
        if (o.QueryTimeout < TimeSpan.FromSeconds(1) || o.QueryTimeout.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            failures.Add($"ServerTelemetry:QueryTimeout must be a whole number of seconds, at least 1 (got {o.QueryTimeout}).");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
