using Microsoft.Extensions.Options;

namespace ExamConsole.Data.Telemetry.Readiness;

/// <summary>
/// What the pre-deployment checklist expects (section <c>Readiness</c>): the deployment
/// document's values are the defaults, and this class is the only place they are written down.
/// The pool's size, its server reserve (max_connections ≥ pool max + reserve) and its
/// statement_timeout come from <see cref="Pool.PoolSettings"/>, not from here.
/// </summary>
public sealed class ReadinessOptions
{
    public const string SectionName = "Readiness";

    /// <summary>Open files the process needs besides one per pooled connection (listening sockets, clients, logs, assemblies).</summary>
    public int FileDescriptorsBesidesPool { get; set; } = 1024;

    /// <summary>Least memory on the machine (document: 16GB+).</summary>
    public string MinMemory { get; set; } = "16GB";

    /// <summary>Least CPU cores (document: 8+ cores for connection management).</summary>
    public int MinCpuCores { get; set; } = 8;

    /// <summary>Document: shared_buffers = 2GB (at least).</summary>
    public string MinSharedBuffers { get; set; } = "2GB";

    /// <summary>Document: effective_cache_size = 6GB (at least).</summary>
    public string MinEffectiveCacheSize { get; set; } = "6GB";

    /// <summary>Document: work_mem = 2MB, exactly: with thousands of backends, more per sort multiplies fast.</summary>
    public string WorkMem { get; set; } = "2MB";

    /// <summary>Document: maintenance_work_mem = 512MB (at least).</summary>
    public string MinMaintenanceWorkMem { get; set; } = "512MB";

    /// <summary>Where the Prometheus endpoint answers; null: this server's first address + /metrics.</summary>
    public string? MetricsUrl { get; set; }

    /// <summary>How long the metrics endpoint has to answer.</summary>
    public TimeSpan MetricsTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Bound of the database reads of one evaluation.</summary>
    public TimeSpan CheckTimeout { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>Refuses readiness settings that cannot be evaluated, naming the key.</summary>
public sealed class ReadinessOptionsValidator : IValidateOptions<ReadinessOptions>
{
    public ValidateOptionsResult Validate(string? name, ReadinessOptions o)
    {
        var failures = new List<string>();
        RequireSize(failures, "MinMemory", o.MinMemory);
        RequireSize(failures, "MinSharedBuffers", o.MinSharedBuffers);
        RequireSize(failures, "MinEffectiveCacheSize", o.MinEffectiveCacheSize);
        RequireSize(failures, "WorkMem", o.WorkMem);
        RequireSize(failures, "MinMaintenanceWorkMem", o.MinMaintenanceWorkMem);
        if (o.FileDescriptorsBesidesPool < 0)
        {
            failures.Add($"Readiness:FileDescriptorsBesidesPool must not be negative (got {o.FileDescriptorsBesidesPool}).");
        }
        if (o.MinCpuCores < 1)
        {
            failures.Add($"Readiness:MinCpuCores must be at least 1 (got {o.MinCpuCores}).");
        }
        if (o.MetricsUrl is not null && !Uri.TryCreate(o.MetricsUrl, UriKind.Absolute, out _))
        {
            failures.Add($"Readiness:MetricsUrl must be an absolute URL such as http://127.0.0.1:5080/metrics (got \"{o.MetricsUrl}\").");
        }
        if (o.MetricsTimeout < TimeSpan.FromMilliseconds(100) || o.MetricsTimeout > TimeSpan.FromMinutes(1))
        {
            failures.Add($"Readiness:MetricsTimeout must be between 00:00:00.1 and 00:01:00 (got {o.MetricsTimeout}).");
        }
        if (o.CheckTimeout < TimeSpan.FromMilliseconds(100) || o.CheckTimeout > TimeSpan.FromMinutes(1))
        {
            failures.Add($"Readiness:CheckTimeout must be between 00:00:00.1 and 00:01:00 (got {o.CheckTimeout}).");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void RequireSize(List<string> failures, string key, string value)
    {
        if (!PgSize.TryParse(value, out _))
        {
            failures.Add($"Readiness:{key} must be a size such as 2GB, 512MB or 8kB (got \"{value}\").");
        }
    }
}
