namespace ExamConsole.Data.Entities;

public sealed class Teacher
{
    public int Id { get; set; }

    /// <summary>Login code, "T" followed by seven digits.</summary>
    public required string Code { get; set; }

    /// <summary>PBKDF2 hash in ASP.NET Core Identity's V3 format (the iteration count travels inside it).</summary>
    public required string PasswordHash { get; set; }
}

public sealed class Exam
{
    public int Id { get; set; }
    public required string Title { get; set; }
    public DateTimeOffset OpensAt { get; set; }
    public DateTimeOffset ClosesAt { get; set; }
    public int DurationMinutes { get; set; }
    public List<Question> Questions { get; set; } = [];
}

public sealed class Question
{
    public int Id { get; set; }
    public int ExamId { get; set; }
    public int Number { get; set; }
    public required string Text { get; set; }
    public List<QuestionOption> Options { get; set; } = [];
}

public sealed class QuestionOption
{
    public int Id { get; set; }
    public int QuestionId { get; set; }
    public short Position { get; set; }
    public required string Text { get; set; }

    /// <summary>Stored for marking; never part of a paper served to a teacher.</summary>
    public bool IsCorrect { get; set; }
}

public sealed class ExamAssignment
{
    public int TeacherId { get; set; }
    public int ExamId { get; set; }
}

public sealed class Attempt
{
    public long Id { get; set; }
    public int TeacherId { get; set; }
    public int ExamId { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset Deadline { get; set; }
}

public sealed class Answer
{
    public long AttemptId { get; set; }
    public int QuestionId { get; set; }
    public int OptionId { get; set; }
    public DateTimeOffset AnsweredAt { get; set; }
}

public sealed class Submission
{
    public long Id { get; set; }

    /// <summary>Chosen by the client; the idempotency key of a submit.</summary>
    public Guid SubmissionId { get; set; }
    public long AttemptId { get; set; }

    /// <summary>Issued by the node that accepted the submit, before it is durable anywhere.</summary>
    public Guid ReceiptId { get; set; }

    /// <summary>
    /// The submitted answers' questions, in the order sent; <see cref="OptionIds"/> holds each one's
    /// option at the same position. The two arrays are the record of truth of the submitted answers
    /// (the view attempt_answers reads them).
    /// </summary>
    public required int[] QuestionIds { get; set; }

    /// <summary>The option chosen for the question at the same position of <see cref="QuestionIds"/>.</summary>
    public required int[] OptionIds { get; set; }

    /// <summary>When the node accepted the submit (earlier than <see cref="RecordedAt"/> for spooled submissions).</summary>
    public DateTimeOffset AcceptedAt { get; set; }
    public DateTimeOffset RecordedAt { get; set; }
}
