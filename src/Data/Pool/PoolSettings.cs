using Microsoft.Extensions.Options;

namespace ExamConsole.Data.Pool;

/// <summary>
/// The connection pool's settings, bound from the <c>Pool</c> section. The defaults are the
/// extreme-scale deployment's values; this class is the only place they are written down.
/// </summary>
public sealed class PoolSettings
{
    public const string SectionName = "Pool";

    /// <summary>The largest <see cref="MaxSize"/> accepted, from configuration or from an operator's resize.</summary>
    public const int MaxSizeLimit = 100_000;

    /// <summary>Most physical connections the node may hold (the deployment's 8,000 connections).</summary>
    public int MaxSize { get; set; } = 8000;

    /// <summary>Connections kept open and warm (the deployment's 100, for immediate availability).</summary>
    public int MinSize { get; set; } = 100;

    /// <summary>Idle connections above the minimum are closed after this (the deployment's 15 s, for faster recycling).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Longest wait for a connection before giving up (the deployment's 3 s, for quick failover).</summary>
    public TimeSpan AcquireTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>A physical connection is replaced after this many leases (the deployment's 15,000 uses).</summary>
    public int MaxUses { get; set; } = 15000;

    /// <summary>Server-side statement limit, sent as <c>statement_timeout</c> (8 s, the deployment's server limit).</summary>
    public TimeSpan StatementTimeout { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>Client-side limit of one command (6 s, the deployment's limit of one query, below the server's 8 s).</summary>
    public TimeSpan QueryTimeout { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>Connections the server keeps for itself and other clients: the pool max must stay below max_connections less this.</summary>
    public int ServerReserve { get; set; } = 200;

    /// <summary>Physical connections are closed on return once this old (0: never). Shortened under memory pressure.</summary>
    public TimeSpan ConnectionLifetime { get; set; } = TimeSpan.Zero;

    /// <summary>A lease held longer than this is reported as a possible leak, with where it was taken.</summary>
    public TimeSpan LeakThreshold { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A lease held longer than this is reclaimed by terminating its backend (off when null).</summary>
    public TimeSpan? LeakReclaimAfter { get; set; }

    /// <summary>The sliding window of the acquire-wait and hold-time percentiles.</summary>
    public TimeSpan PercentileWindow { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Process memory (percent of the memory available to it) above which connection lifecycles are shortened.</summary>
    public double MemoryPressurePercent { get; set; } = 85;

    /// <summary>Idle timeout in force under memory pressure (the deployment's answer to memory pressure: a reduced connection lifecycle).</summary>
    public TimeSpan PressureIdleTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Connection lifetime in force under memory pressure.</summary>
    public TimeSpan PressureConnectionLifetime { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The utilization bands' thresholds.</summary>
    public UtilizationBands Bands { get; set; } = new();

    public PoolSettings Clone()
    {
        var copy = (PoolSettings)MemberwiseClone();
        copy.Bands = new UtilizationBands { YellowFromPercent = Bands.YellowFromPercent, RedAbovePercent = Bands.RedAbovePercent };
        return copy;
    }
}

/// <summary>Refuses nonsense pool settings at start, saying which value is wrong and why.</summary>
public sealed class PoolSettingsValidator : IValidateOptions<PoolSettings>
{
    public ValidateOptionsResult Validate(string? name, PoolSettings options)
    {
        var failures = Check(options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    public static List<string> Check(PoolSettings s)
    {
        // The sizes' bounds are the operators' resize rule too: one rule, one wording.
        var failures = PoolSizeRule.CheckBounds(s.MaxSize, s.MinSize, $"{PoolSettings.SectionName}:MaxSize", $"{PoolSettings.SectionName}:MinSize")
            .Values.SelectMany(e => e).ToList();
        RequireWholeSeconds(failures, "Pool:IdleTimeout", s.IdleTimeout, min: 1);
        // The engine enforces the acquire timeout itself, to the millisecond.
        if (s.AcquireTimeout < TimeSpan.FromMilliseconds(100) || s.AcquireTimeout > TimeSpan.FromMinutes(1))
        {
            failures.Add($"Pool:AcquireTimeout must be between 100 ms and 60 s (got {s.AcquireTimeout}).");
        }
        RequireWholeSeconds(failures, "Pool:QueryTimeout", s.QueryTimeout, min: 1);
        if (s.StatementTimeout < TimeSpan.FromMilliseconds(1))
        {
            failures.Add($"Pool:StatementTimeout must be at least 1 ms (got {s.StatementTimeout}).");
        }
        if (s.MaxUses < 1)
        {
            failures.Add($"Pool:MaxUses must be at least 1 (got {s.MaxUses}).");
        }
        RequireWholeSeconds(failures, "Pool:PressureIdleTimeout", s.PressureIdleTimeout, min: 1);
        RequireWholeSeconds(failures, "Pool:PressureConnectionLifetime", s.PressureConnectionLifetime, min: 1);
        if (s.ConnectionLifetime < TimeSpan.Zero || s.ConnectionLifetime.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            failures.Add($"Pool:ConnectionLifetime must be 0 (never) or a whole number of seconds (got {s.ConnectionLifetime}).");
        }
        if (s.LeakThreshold <= TimeSpan.Zero)
        {
            failures.Add($"Pool:LeakThreshold must be positive (got {s.LeakThreshold}).");
        }
        if (s.LeakReclaimAfter is { } reclaim && reclaim <= s.LeakThreshold)
        {
            failures.Add($"Pool:LeakReclaimAfter must be longer than Pool:LeakThreshold ({s.LeakThreshold}) (got {reclaim}).");
        }
        if (s.PercentileWindow < TimeSpan.FromSeconds(1) || s.PercentileWindow > TimeSpan.FromHours(1))
        {
            failures.Add($"Pool:PercentileWindow must be between 1 s and 1 h (got {s.PercentileWindow}).");
        }
        if (s.MemoryPressurePercent is <= 0 or > 100)
        {
            failures.Add($"Pool:MemoryPressurePercent must be between 0 and 100 (got {s.MemoryPressurePercent}).");
        }
        if (s.Bands.YellowFromPercent is < 0 or > 100 || s.Bands.RedAbovePercent is < 0 or > 100 || s.Bands.YellowFromPercent > s.Bands.RedAbovePercent)
        {
            failures.Add($"Pool:Bands must satisfy 0 <= YellowFromPercent <= RedAbovePercent <= 100 (got {s.Bands.YellowFromPercent} and {s.Bands.RedAbovePercent}).");
        }
        if (s.ServerReserve < 0)
        {
            failures.Add($"Pool:ServerReserve must not be negative (got {s.ServerReserve}).");
        }
        return failures;
    }

    // Npgsql takes these in whole seconds; a fraction would be silently rounded.
    private static void RequireWholeSeconds(List<string> failures, string key, TimeSpan value, int min)
    {
        if (value < TimeSpan.FromSeconds(min) || value.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            failures.Add($"{key} must be a whole number of seconds, at least {min} (got {value}).");
        }
    }
}
