using System.Globalization;
using System.Text.Json;

namespace ExamConsole.ExamDay;

/// <summary>How one virtual teacher's exam ended.</summary>
public enum TeacherOutcome
{
    Finished,
    Failed,
    Unfinished,
}

/// <summary>A submission the host acknowledged (200 recorded or 202 queued): it must be in the database afterwards.</summary>
public sealed record Acknowledged(Guid SubmissionId, Guid ReceiptId, bool Queued);

/// <summary>
/// One teacher's whole exam: login, exam list, paper, start attempt, rounds of answer saves with
/// think time, submit (with a submissionId of its own, kept across retries), status.
/// </summary>
public sealed class VirtualTeacher(int number, TeacherHttp http, ExamDayOptions options, Random random, TimeProvider time)
{
    private static readonly TimeSpan QueuedStatusPoll = TimeSpan.FromSeconds(1);

    public static string Code(int number) => "T" + number.ToString("D7", CultureInfo.InvariantCulture);

    public static string Password(int number) => "pass-" + number.ToString("D7", CultureInfo.InvariantCulture);

    /// <summary>Why the teacher stopped, when it did not finish.</summary>
    public string? FailureReason { get; private set; }

    public Acknowledged? Submission { get; private set; }

    /// <summary>Plays the exam; the first request's intended start is the teacher's scheduled <paramref name="arrival"/>.</summary>
    public async Task<TeacherOutcome> PlayAsync(long arrival, CancellationToken cancellationToken)
    {
        try
        {
            return await PlayCoreAsync(arrival, cancellationToken) ? TeacherOutcome.Finished : TeacherOutcome.Failed;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            FailureReason = "cancelled at the run's end";
            return TeacherOutcome.Unfinished;
        }
        catch (JsonException ex)
        {
            FailureReason = "unreadable answer: " + ex.Message;
            return TeacherOutcome.Failed;
        }
    }

    private async Task<bool> PlayCoreAsync(long arrival, CancellationToken ct)
    {
        var login = await http.SendJsonAsync(Endpoints.Login, HttpMethod.Post, "/api/auth/login", new LoginBody(Code(number), Password(number)), ContractJson.Default.LoginBody, arrival, ct);
        if (!login.Ok)
        {
            return Fail(login.Reason(Endpoints.Login));
        }
        http.Token = login.Read(ContractJson.Default.LoginAnswer).Token;

        var exams = await http.GetAsync(Endpoints.Exams, "/api/exams", time.GetTimestamp(), ct);
        if (!exams.Ok)
        {
            return Fail(exams.Reason(Endpoints.Exams));
        }
        var assigned = exams.Read(ContractJson.Default.ListExamItem).OrderBy(e => e.ExamId).ToList();
        if (assigned.Count == 0)
        {
            return Fail("exams: none assigned");
        }
        var examId = assigned[options.ExamSlot % assigned.Count].ExamId;

        var paperReply = await http.GetAsync(Endpoints.Paper, $"/api/exams/{examId}/paper", time.GetTimestamp(), ct);
        if (!paperReply.Ok)
        {
            return Fail(paperReply.Reason(Endpoints.Paper));
        }
        var paper = paperReply.Read(ContractJson.Default.PaperAnswer);
        if (paper.Questions.Count == 0 || paper.Questions.Any(q => q.Options.Count == 0))
        {
            return Fail("paper: a question without options");
        }

        var start = await http.PostAsync(Endpoints.Start, $"/api/exams/{examId}/attempts", time.GetTimestamp(), ct);
        if (!start.Ok)
        {
            return Fail(start.Reason(Endpoints.Start));
        }
        var attemptId = start.Read(ContractJson.Default.AttemptAnswer).AttemptId;

        // Last write wins, as on the server: the final answers are what the submit sends.
        var chosen = new Dictionary<int, int>();
        for (var round = 0; round < options.Rounds; round++)
        {
            var intended = await ThinkAsync(ct);
            var picks = Pick(paper, chosen);
            var saved = await http.SendJsonAsync(Endpoints.Answers, HttpMethod.Put, $"/api/attempts/{attemptId}/answers", new AnswersBody(picks), ContractJson.Default.AnswersBody, intended, ct);
            if (!saved.Ok)
            {
                return Fail(saved.Reason(Endpoints.Answers));
            }
        }

        var submitIntended = await ThinkAsync(ct);
        var submissionId = Guid.NewGuid();
        var final = chosen.Select(a => new AnswerPick(a.Key, a.Value)).ToList();
        var submit = await http.SendJsonAsync(Endpoints.Submit, HttpMethod.Post, $"/api/attempts/{attemptId}/submit", new SubmitBody(submissionId, final), ContractJson.Default.SubmitBody, submitIntended, ct);
        if (!submit.Ok)
        {
            return Fail(submit.Reason(Endpoints.Submit));
        }
        var receipt = submit.Read(ContractJson.Default.ReceiptAnswer);
        Submission = new Acknowledged(submissionId, receipt.ReceiptId, submit.Status == 202);
        http.Stats[Endpoints.SubmitAcknowledged].RecordAcknowledged(time.GetElapsedTime(submitIntended));

        var statusReply = await http.GetAsync(Endpoints.Status, $"/api/attempts/{attemptId}", time.GetTimestamp(), ct);
        if (!statusReply.Ok)
        {
            return Fail(statusReply.Reason(Endpoints.Status));
        }
        var status = statusReply.Read(ContractJson.Default.StatusAnswer);
        // A queued (202) submission lives in the spool of the node that took it until that node replays it.
        // If that node died meanwhile, the node answering now sees the attempt in progress until it is back
        // and has replayed: ask again, as a client would, within the settle time.
        var settleUntil = time.GetTimestamp() + (long)(options.SettleTimeout.TotalSeconds * time.TimestampFrequency);
        while (submit.Status == 202 && status.Status == "in_progress" && time.GetTimestamp() < settleUntil)
        {
            await Task.Delay(QueuedStatusPoll, time, ct);
            statusReply = await http.GetAsync(Endpoints.Status, $"/api/attempts/{attemptId}", time.GetTimestamp(), ct);
            if (!statusReply.Ok)
            {
                return Fail(statusReply.Reason(Endpoints.Status));
            }
            status = statusReply.Read(ContractJson.Default.StatusAnswer);
        }
        if (status.Status is not ("submitted" or "queued") || status.ReceiptId != receipt.ReceiptId)
        {
            return Fail($"status: {status.Status} with another receipt than the submit's");
        }
        return true;
    }

    /// <summary>Waits a think time; returns when the next request was meant to leave (a late timer counts as latency).</summary>
    private async Task<long> ThinkAsync(CancellationToken ct)
    {
        var mean = options.ThinkTime.TotalSeconds;
        var think = TimeSpan.FromSeconds(mean * (0.5 + random.NextDouble()));
        var intended = time.GetTimestamp() + (long)(think.TotalSeconds * time.TimestampFrequency);
        if (think > TimeSpan.Zero)
        {
            await Task.Delay(think, time, ct);
        }
        return intended;
    }

    private List<AnswerPick> Pick(PaperAnswer paper, Dictionary<int, int> chosen)
    {
        var count = Math.Min(options.AnswersPerSave, paper.Questions.Count);
        var picks = new Dictionary<int, int>(count);
        while (picks.Count < count)
        {
            var question = paper.Questions[random.Next(paper.Questions.Count)];
            picks[question.QuestionId] = question.Options[random.Next(question.Options.Count)].OptionId;
        }
        foreach (var (q, o) in picks)
        {
            chosen[q] = o;
        }
        return picks.Select(p => new AnswerPick(p.Key, p.Value)).ToList();
    }

    private bool Fail(string reason)
    {
        FailureReason = reason;
        return false;
    }
}
