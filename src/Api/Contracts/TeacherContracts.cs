namespace ExamConsole.Api.Contracts;

// HTTP contracts of docs/API.md (teacher side). Request fields are nullable so that a missing field
// is reported as a validation error naming it, not as a JSON exception.

public sealed record LoginRequest(string? TeacherCode, string? Password);

public sealed record LoginResponse(string Token, DateTimeOffset ExpiresAt, int TeacherId);

public sealed record ExamSummary(int ExamId, string Title, DateTimeOffset OpensAt, DateTimeOffset ClosesAt, int DurationMinutes, int QuestionCount);

public sealed record PaperResponse(int ExamId, string Title, int DurationMinutes, IReadOnlyList<PaperQuestion> Questions);

public sealed record PaperQuestion(int QuestionId, int Number, string Text, IReadOnlyList<PaperOption> Options);

public sealed record PaperOption(int OptionId, string Text);

public sealed record AttemptResponse(long AttemptId, DateTimeOffset StartedAt, DateTimeOffset Deadline);

public sealed record AnswerItem(int? QuestionId, int? OptionId);

public sealed record AnswersRequest(IReadOnlyList<AnswerItem?>? Answers);

public sealed record SubmitRequest(Guid? SubmissionId, IReadOnlyList<AnswerItem?>? Answers);

public sealed record SubmitResponse(Guid ReceiptId, string Status)
{
    public const string Recorded = "recorded";
    public const string Queued = "queued";
}

public sealed record AttemptStatusResponse(
    long AttemptId,
    int ExamId,
    DateTimeOffset StartedAt,
    DateTimeOffset Deadline,
    int AnsweredCount,
    string Status,
    Guid? ReceiptId)
{
    public const string InProgress = "in_progress";
    public const string Submitted = "submitted";
    public const string Queued = "queued";
}
