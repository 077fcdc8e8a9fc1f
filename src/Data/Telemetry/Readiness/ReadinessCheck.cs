namespace ExamConsole.Data.Telemetry.Readiness;

/// <summary>One line of the pre-deployment checklist: what is, what should be, and what to do when they differ.</summary>
public sealed record ReadinessCheck(string Name, bool Ok, string Actual, string Expected, string? Advice);

/// <summary>The checks, in the order they are shown.</summary>
public static class ReadinessCheckNames
{
    public const string MaxConnections = "max_connections";
    public const string OpenFiles = "open_files";
    public const string Memory = "memory";
    public const string CpuCores = "cpu_cores";
    public const string SharedBuffers = "shared_buffers";
    public const string EffectiveCacheSize = "effective_cache_size";
    public const string WorkMem = "work_mem";
    public const string MaintenanceWorkMem = "maintenance_work_mem";
    public const string StatementTimeout = "statement_timeout";
    public const string Metrics = "metrics";

    public static readonly IReadOnlyList<string> All =
    [
        MaxConnections, OpenFiles, Memory, CpuCores, SharedBuffers, EffectiveCacheSize, WorkMem, MaintenanceWorkMem, StatementTimeout, Metrics,
    ];
}

/// <summary>A server setting from pg_settings: its value in bytes, as the server writes it, and whether changing it needs a restart.</summary>
public sealed record ServerSetting(string Name, long Bytes, string Display, bool NeedsRestart);

/// <summary>What one idle backend costs in memory, and how that was measured.</summary>
public sealed record BackendCost(long Bytes, string How);
