using ExamConsole.Api.Resilience;
using ExamConsole.Data.Stores;

namespace ExamConsole.Api.Submissions;

/// <summary>
/// The teacher endpoints' way to attempts: the SQL of <see cref="AttemptStore"/> inside the
/// idempotent resilience pipeline (every call here may run twice with the same effect), and every
/// attempt read or started remembered in <see cref="AttemptCache"/> for when the database is away.
/// </summary>
public sealed class AttemptService(AttemptStore store, DatabaseResilience resilience, AttemptCache cache)
{
    /// <summary>Starts the teacher's attempt at an exam, or returns the one already started (Created = false).</summary>
    public async Task<(AttemptRow Attempt, bool Created)> StartAsync(int teacherId, int examId, DateTimeOffset now, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var result = await resilience.Idempotent.ExecuteAsync(
            static async (state, ct) => await state.store.StartAsync(state.teacherId, state.examId, state.now, state.deadline, ct),
            (store, teacherId, examId, now, deadline),
            cancellationToken);
        cache.Remember(result.Attempt);
        return result;
    }

    public async Task<AttemptRow?> FindAsync(long attemptId, CancellationToken cancellationToken)
    {
        var attempt = await resilience.Idempotent.ExecuteAsync(
            static async (state, ct) => await state.store.FindAsync(state.attemptId, ct),
            (store, attemptId),
            cancellationToken);
        if (attempt is not null)
        {
            cache.Remember(attempt);
        }
        return attempt;
    }

    /// <summary>The attempt with the number of questions answered so far.</summary>
    public Task<(AttemptRow Attempt, int AnsweredCount)?> GetStatusAsync(long attemptId, CancellationToken cancellationToken) =>
        resilience.Idempotent.ExecuteAsync(
            static async (state, ct) => await state.store.GetStatusAsync(state.attemptId, ct),
            (store, attemptId),
            cancellationToken).AsTask();

    /// <summary>
    /// Upserts answers (last write wins) after checking owner, submission and deadline against the
    /// database's attempt row, in one round trip. <paramref name="answers"/> holds each question once.
    /// </summary>
    public Task<SaveResult> SaveAnswersAsync(long attemptId, int teacherId, IReadOnlyCollection<(int QuestionId, int OptionId)> answers, DateTimeOffset now, TimeSpan grace, CancellationToken cancellationToken) =>
        resilience.Idempotent.ExecuteAsync(
            static async (state, ct) => await state.store.SaveAnswersAsync(state.attemptId, state.teacherId, state.answers, state.now, state.grace, ct),
            (store, attemptId, teacherId, answers, now, grace),
            cancellationToken).AsTask();
}
