using System.Text.Json;
using System.Text.Json.Serialization;

namespace ExamConsole.ExamDay;

// The parts of docs/API.md's teacher contract that a teacher's client reads. The tool is a black box:
// it depends on the contract, not on the host's code.

public sealed record LoginBody(string TeacherCode, string Password);

public sealed record LoginAnswer(string Token, int TeacherId);

public sealed record ExamItem(int ExamId, int QuestionCount);

public sealed record PaperOptionItem(int OptionId);

public sealed record PaperQuestionItem(int QuestionId, IReadOnlyList<PaperOptionItem> Options);

public sealed record PaperAnswer(int ExamId, IReadOnlyList<PaperQuestionItem> Questions);

public sealed record AttemptAnswer(long AttemptId);

public sealed record AnswerPick(int QuestionId, int OptionId);

public sealed record AnswersBody(IReadOnlyList<AnswerPick> Answers);

public sealed record SubmitBody(Guid SubmissionId, IReadOnlyList<AnswerPick> Answers);

public sealed record ReceiptAnswer(Guid ReceiptId, string Status);

public sealed record StatusAnswer(long AttemptId, string Status, Guid? ReceiptId);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(LoginBody))]
[JsonSerializable(typeof(LoginAnswer))]
[JsonSerializable(typeof(List<ExamItem>))]
[JsonSerializable(typeof(PaperAnswer))]
[JsonSerializable(typeof(AttemptAnswer))]
[JsonSerializable(typeof(AnswersBody))]
[JsonSerializable(typeof(SubmitBody))]
[JsonSerializable(typeof(ReceiptAnswer))]
[JsonSerializable(typeof(StatusAnswer))]
internal sealed partial class ContractJson : JsonSerializerContext;
