namespace ExamConsole.Data.Seeding;

/// <summary>The demo and benchmark data set (section <c>Seed</c>).</summary>
public sealed class SeedOptions
{
    public const string SectionName = "Seed";

    /// <summary>Seed when the database holds no teacher yet.</summary>
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
