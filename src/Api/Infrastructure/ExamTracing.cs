using System.Diagnostics;

namespace ExamConsole.Api.Infrastructure;

/// <summary>
/// The API's own spans (activity source "ExamConsole.Api"): the admission wait of a teacher request,
/// and a submission's gather and commit. Listened to only when tracing is on (see
/// <see cref="Telemetry.OtlpConfigured"/>); otherwise every StartActivity returns null at once.
/// </summary>
public static class ExamTracing
{
    public const string SourceName = "ExamConsole.Api";

    public const string AdmissionSpan = "admission wait";
    public const string GatherSpan = "submit gather";
    public const string CommitSpan = "submit commit";
    public const string BatchSpan = "submit batch";

    public const string AdmissionPriorityTag = "examconsole.admission.priority";
    public const string AdmissionOutcomeTag = "examconsole.admission.outcome";
    public const string BatchSizeTag = "examconsole.submit.batch_size";

    internal static readonly ActivitySource Source = new(SourceName);
}
