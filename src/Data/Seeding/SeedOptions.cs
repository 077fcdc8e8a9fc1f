using Microsoft.Extensions.Options;

namespace ExamConsole.Data.Seeding;

/// <summary>The demo and benchmark data set (section <c>Seed</c>).</summary>
public sealed class SeedOptions
{
    public const string SectionName = "Seed";

    /// <summary>Make the demo data complete at start: seed it when absent, complete it when partial.</summary>
    public bool OnStart { get; set; } = true;

    public int Teachers { get; set; } = 40_000;

    public int Exams { get; set; } = 10;

    public int QuestionsPerExam { get; set; } = 100;

    public int DurationMinutes { get; set; } = 120;

    /// <summary>Exams open at seeding time and stay open this long.</summary>
    public TimeSpan OpenFor { get; set; } = TimeSpan.FromHours(8);

    /// <summary>
    /// PBKDF2 iterations of the demo teachers' hashes. Lower than Identity's default (100,000) so that
    /// 40,000 teachers seed in seconds and login stays within its 3 ms target (the deployment's mobile authentication target); the count is
    /// recorded inside each hash, so verification needs no setting.
    /// </summary>
    public int PasswordIterations { get; set; } = 1_000;
}

/// <summary>Refuses nonsense demo data settings at start, naming the key and the accepted range.</summary>
public sealed class SeedOptionsValidator : IValidateOptions<SeedOptions>
{
    public ValidateOptionsResult Validate(string? name, SeedOptions o) =>
        new OptionsCheck(SeedOptions.SectionName)
            // A demo data set has at least one teacher and one exam.
            .Between(nameof(o.Teachers), o.Teachers, 1, 1_000_000)
            .Between(nameof(o.Exams), o.Exams, 1, 100)
            .Between(nameof(o.QuestionsPerExam), o.QuestionsPerExam, 1, 1000)
            .Between(nameof(o.DurationMinutes), o.DurationMinutes, 1, 24 * 60)
            .Between(nameof(o.OpenFor), o.OpenFor, TimeSpan.FromMinutes(1), TimeSpan.FromDays(365))
            .Between(nameof(o.PasswordIterations), o.PasswordIterations, 1, 1_000_000)
            .Result;
}
