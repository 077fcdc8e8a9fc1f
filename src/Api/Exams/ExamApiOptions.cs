using ExamConsole.Data;
using Microsoft.Extensions.Options;

namespace ExamConsole.Api.Exams;

/// <summary>Teacher API settings (section <c>ExamApi</c>).</summary>
public sealed class ExamApiOptions
{
    public const string SectionName = "ExamApi";

    /// <summary>How long after an attempt's deadline a submit or an answer save is still taken.</summary>
    public TimeSpan SubmitGrace { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How old the cached exam list may get before it is read again.</summary>
    public TimeSpan CatalogRefresh { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest request body accepted (413 beyond).</summary>
    public long MaxRequestBodyBytes { get; set; } = 64 * 1024;
}

/// <summary>Refuses nonsense teacher API settings at start, naming the key and the accepted range.</summary>
public sealed class ExamApiOptionsValidator : IValidateOptions<ExamApiOptions>
{
    public ValidateOptionsResult Validate(string? name, ExamApiOptions o) =>
        new OptionsCheck(ExamApiOptions.SectionName)
            .Between(nameof(o.SubmitGrace), o.SubmitGrace, TimeSpan.Zero, TimeSpan.FromHours(1))
            // 0 reads the catalog on every request (the API tests do).
            .Between(nameof(o.CatalogRefresh), o.CatalogRefresh, TimeSpan.Zero, TimeSpan.FromHours(1))
            // A submit of a whole paper is a few kilobytes; Kestrel's own limit is 30 MB.
            .Between(nameof(o.MaxRequestBodyBytes), o.MaxRequestBodyBytes, 1024L, 16L * 1024 * 1024)
            .Result;
}
