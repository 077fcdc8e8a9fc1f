using System.Text.Json;
using System.Text.Json.Serialization;

namespace ExamConsole.Api.Contracts;

/// <summary>Source-generated serialization for the hot contracts (the paper is pre-encoded with it).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(LoginRequest))]
[JsonSerializable(typeof(LoginResponse))]
[JsonSerializable(typeof(List<ExamSummary>))]
[JsonSerializable(typeof(PaperResponse))]
[JsonSerializable(typeof(AttemptResponse))]
[JsonSerializable(typeof(AnswersRequest))]
[JsonSerializable(typeof(SubmitRequest))]
[JsonSerializable(typeof(SubmitResponse))]
[JsonSerializable(typeof(AttemptStatusResponse))]
public sealed partial class ApiJsonContext : JsonSerializerContext;
