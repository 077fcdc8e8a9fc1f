using System.Collections.Concurrent;
using System.Text.Json;
using ExamConsole.Api.Contracts;
using ExamConsole.Data;
using Microsoft.EntityFrameworkCore;

namespace ExamConsole.Api.Exams;

/// <summary>An exam's paper, serialized once, plus what is needed to validate answers against it.</summary>
public sealed class Paper
{
    private readonly Dictionary<int, HashSet<int>> _optionsByQuestion;

    public Paper(PaperResponse response)
    {
        ExamId = response.ExamId;
        QuestionCount = response.Questions.Count;
        _optionsByQuestion = response.Questions.ToDictionary(q => q.QuestionId, q => q.Options.Select(o => o.OptionId).ToHashSet());
        Utf8Json = JsonSerializer.SerializeToUtf8Bytes(response, ApiJsonContext.Default.PaperResponse);
    }

    public int ExamId { get; }

    public int QuestionCount { get; }

    /// <summary>The response body, encoded once per node.</summary>
    public byte[] Utf8Json { get; }

    public bool HasQuestion(int questionId) => _optionsByQuestion.ContainsKey(questionId);

    public bool HasOption(int questionId, int optionId) =>
        _optionsByQuestion.TryGetValue(questionId, out var options) && options.Contains(optionId);
}

/// <summary>
/// Papers are immutable once published, so each node reads one from the database once and serves
/// the encoded bytes from then on. The correct option is never read.
/// </summary>
public sealed class PaperCache(ExamDb db)
{
    private readonly ConcurrentDictionary<int, Lazy<Task<Paper?>>> _papers = new();

    public async Task<Paper?> GetAsync(int examId, CancellationToken cancellationToken)
    {
        var lazy = _papers.GetOrAdd(examId, id => new Lazy<Task<Paper?>>(() => LoadAsync(id)));
        try
        {
            // The load is shared by every waiter, so it runs without one request's token; each waiter may still give up.
            var paper = await lazy.Value.WaitAsync(cancellationToken);
            if (paper is null)
            {
                // An exam that does not exist yet may be published later: do not remember the miss.
                _papers.TryRemove(new KeyValuePair<int, Lazy<Task<Paper?>>>(examId, lazy));
            }
            return paper;
        }
        catch (Exception) when (lazy.Value.IsFaulted || lazy.Value.IsCanceled)
        {
            _papers.TryRemove(new KeyValuePair<int, Lazy<Task<Paper?>>>(examId, lazy));
            throw;
        }
    }

    /// <summary>The paper when this node already holds it, without a database trip.</summary>
    public Paper? TryGetCached(int examId) =>
        _papers.TryGetValue(examId, out var lazy) && lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully ? lazy.Value.Result : null;

    /// <summary>Number of papers held (for telemetry and tests).</summary>
    public int Count => _papers.Count;

    private async Task<Paper?> LoadAsync(int examId)
    {
        await using var lease = await db.LeaseAsync(CancellationToken.None);
        var exam = await lease.Context.Exams.AsNoTracking()
            .Where(e => e.Id == examId)
            .Select(e => new
            {
                e.Id,
                e.Title,
                e.DurationMinutes,
                Questions = e.Questions.OrderBy(q => q.Number).Select(q => new
                {
                    q.Id,
                    q.Number,
                    q.Text,
                    Options = q.Options.OrderBy(o => o.Position).Select(o => new PaperOption(o.Id, o.Text)).ToList(),
                }).ToList(),
            })
            .AsSplitQuery()
            .FirstOrDefaultAsync();
        if (exam is null)
        {
            return null;
        }
        var response = new PaperResponse(
            exam.Id,
            exam.Title,
            exam.DurationMinutes,
            exam.Questions.Select(q => new PaperQuestion(q.Id, q.Number, q.Text, q.Options)).ToList());
        return new Paper(response);
    }
}
