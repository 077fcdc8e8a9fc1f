namespace ExamConsole.Data.Entities;

/// <summary>
/// The completion marker of the demo data: written in the same transaction as the data, so a
/// database either has it with every teacher, exam and assignment, or has neither.
/// </summary>
public sealed class DemoDataSet
{
    /// <summary>There is one row: the data set of this database.</summary>
    public const int SingletonId = 1;

    public int Id { get; set; } = SingletonId;

    public int Teachers { get; set; }

    public int Exams { get; set; }

    public int Assignments { get; set; }

    public DateTimeOffset CompletedAt { get; set; }

    /// <summary>How the data set came to be complete: <c>seeded</c>, or <c>repaired</c> from a partial one.</summary>
    public required string How { get; set; }
}
