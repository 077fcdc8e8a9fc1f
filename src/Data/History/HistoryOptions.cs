using Microsoft.Extensions.Options;

namespace ExamConsole.Data.History;

/// <summary>The node's history of its figures in PostgreSQL (section <c>History</c>).</summary>
public sealed class HistoryOptions
{
    public const string SectionName = "History";

    /// <summary>Off: the node samples and writes nothing (the history and report routes still read what others wrote).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the buffered seconds are written, in one batch.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How many seconds of samples wait in memory while the database is away; past it the oldest are dropped (counted).</summary>
    public int BufferSeconds { get; set; } = 600;

    /// <summary>How long the one-second samples are kept.</summary>
    public TimeSpan RawRetention { get; set; } = TimeSpan.FromDays(2);

    /// <summary>How long the one-minute rollups are kept.</summary>
    public TimeSpan RollupRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>The longest range the history and the report answer.</summary>
    public TimeSpan MaxRange { get; set; } = TimeSpan.FromDays(31);

    /// <summary>How often the finished minutes are rolled up and the expired rows deleted.</summary>
    public TimeSpan MaintenanceInterval { get; set; } = TimeSpan.FromMinutes(1);
}

public sealed class HistoryOptionsValidator : IValidateOptions<HistoryOptions>
{
    public ValidateOptionsResult Validate(string? name, HistoryOptions o) =>
        new OptionsCheck(HistoryOptions.SectionName)
            .WholeSecondsBetween(nameof(o.FlushInterval), o.FlushInterval, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1))
            .Between(nameof(o.BufferSeconds), o.BufferSeconds, 10, 86_400)
            .WholeSecondsBetween(nameof(o.RawRetention), o.RawRetention, TimeSpan.FromHours(1), TimeSpan.FromDays(30))
            .WholeSecondsBetween(nameof(o.RollupRetention), o.RollupRetention, TimeSpan.FromHours(1), TimeSpan.FromDays(400))
            .Require(o.RollupRetention >= o.RawRetention, nameof(o.RollupRetention), "must be at least History:RawRetention", OptionsCheck.Show(o.RollupRetention))
            .WholeSecondsBetween(nameof(o.MaxRange), o.MaxRange, TimeSpan.FromMinutes(1), TimeSpan.FromDays(400))
            .WholeSecondsBetween(nameof(o.MaintenanceInterval), o.MaintenanceInterval, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1))
            .Result;
}
