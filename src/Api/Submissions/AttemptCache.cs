using System.Collections.Concurrent;
using ExamConsole.Data.Stores;

namespace ExamConsole.Api.Submissions;

/// <summary>
/// The attempts this node has seen, so that a submit can still be checked (owner, deadline, paper)
/// and spooled when the database cannot be asked. Bounded: emptied when it grows past its cap.
/// </summary>
public sealed class AttemptCache
{
    private const int Capacity = 200_000;
    private readonly ConcurrentDictionary<long, AttemptRow> _attempts = new();

    public void Remember(AttemptRow attempt)
    {
        if (_attempts.Count >= Capacity)
        {
            _attempts.Clear();
        }
        _attempts[attempt.AttemptId] = attempt;
    }

    public AttemptRow? Find(long attemptId) => _attempts.GetValueOrDefault(attemptId);
}
