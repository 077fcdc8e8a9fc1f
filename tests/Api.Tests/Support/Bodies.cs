namespace ExamConsole.Api.Tests.Support;

// The response shapes of docs/API.md, written out here rather than borrowed from the Api project, so that a
// renamed contract field fails these tests instead of silently following the rename.

internal sealed record LoginBody(string Token, DateTimeOffset ExpiresAt, int TeacherId);

internal sealed record ExamBody(int ExamId, string Title, DateTimeOffset OpensAt, DateTimeOffset ClosesAt, int DurationMinutes, int QuestionCount);

internal sealed record PaperBody(int ExamId, string Title, int DurationMinutes, List<QuestionBody> Questions);

internal sealed record QuestionBody(int QuestionId, int Number, string Text, List<OptionBody> Options);

internal sealed record OptionBody(int OptionId, string Text);

internal sealed record AttemptBody(long AttemptId, DateTimeOffset StartedAt, DateTimeOffset Deadline);

internal sealed record SubmitBody(Guid ReceiptId, string Status);

internal sealed record StatusBody(
    long AttemptId,
    int ExamId,
    DateTimeOffset StartedAt,
    DateTimeOffset Deadline,
    int AnsweredCount,
    string Status,
    Guid? ReceiptId);
