namespace ExamConsole.Data.Telemetry;

/// <summary>A command that took longer than the slow-command threshold.</summary>
/// <param name="At">When it finished.</param>
/// <param name="Source">What ran it: the HTTP route ("POST /api/attempts/{attemptId}/submit") or the command's own span name.</param>
public sealed record SlowCommand(DateTimeOffset At, double DurationMs, string Command, string Source);

/// <summary>The newest slow commands in a fixed-size ring: memory stays bounded whatever the load.</summary>
public sealed class SlowCommandLog
{
    private readonly Lock _gate = new();
    private readonly SlowCommand[] _ring;
    private int _next;
    private int _count;
    private long _total;

    public SlowCommandLog(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _ring = new SlowCommand[capacity];
    }

    public int Capacity => _ring.Length;

    /// <summary>Slow commands recorded since start, including those the ring no longer holds.</summary>
    public long TotalRecorded
    {
        get
        {
            lock (_gate)
            {
                return _total;
            }
        }
    }

    public void Add(SlowCommand command)
    {
        lock (_gate)
        {
            _ring[_next] = command;
            _next = (_next + 1) % _ring.Length;
            _count = Math.Min(_count + 1, _ring.Length);
            _total++;
        }
    }

    /// <summary>Up to <paramref name="max"/> of the kept commands, newest first.</summary>
    public IReadOnlyList<SlowCommand> Recent(int max = int.MaxValue)
    {
        lock (_gate)
        {
            var n = Math.Min(Math.Max(max, 0), _count);
            var result = new SlowCommand[n];
            for (var i = 0; i < n; i++)
            {
                result[i] = _ring[(_next - 1 - i + _ring.Length) % _ring.Length];
            }
            return result;
        }
    }
}
