using ExamConsole.Data.Bouncer;

namespace ExamConsole.Console.Tests.Fakes;

/// <summary>PgBouncer's figures as a test sets them; not in the path unless a test says so.</summary>
public sealed class FakeBouncer : IBouncerFigures
{
    public bool InPath { get; set; }

    public BouncerFigures? Latest { get; set; }

    public string? LastError { get; set; }
}
