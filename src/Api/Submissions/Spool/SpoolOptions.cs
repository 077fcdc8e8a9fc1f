using ExamConsole.Data;
using Microsoft.Extensions.Options;

namespace ExamConsole.Api.Submissions.Spool;

/// <summary>The durable fallback spool (section <c>Spool</c>).</summary>
public sealed class SpoolOptions
{
    public const string SectionName = "Spool";

    /// <summary>Folder of the spool file; relative paths are taken from the content root.</summary>
    public string Directory { get; set; } = ".data/spool";

    /// <summary>How often the replayer looks for work when nothing wakes it.</summary>
    public TimeSpan ReplayInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Most submissions replayed in one transaction.</summary>
    public int ReplayBatch { get; set; } = 256;
}

/// <summary>Refuses nonsense spool settings at start, naming the key and the accepted range.</summary>
public sealed class SpoolOptionsValidator : IValidateOptions<SpoolOptions>
{
    public ValidateOptionsResult Validate(string? name, SpoolOptions o) =>
        new OptionsCheck(SpoolOptions.SectionName)
            .Require(!string.IsNullOrWhiteSpace(o.Directory), nameof(o.Directory), "must name a folder (absolute, or relative to the content root)", OptionsCheck.Quote(o.Directory))
            .Between(nameof(o.ReplayInterval), o.ReplayInterval, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(5))
            .Between(nameof(o.ReplayBatch), o.ReplayBatch, 1, 10_000)
            .Result;
}
