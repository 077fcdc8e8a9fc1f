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
