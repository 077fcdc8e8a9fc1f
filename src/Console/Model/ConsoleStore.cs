using ExamConsole.Data.Pool;
using Microsoft.Extensions.Logging;

namespace ExamConsole.Console.Model;

/// <summary>
/// The one store of live figures: the latest sample and a fixed-size ring of history (memory stays
/// bounded however long the console runs), with subscriptions that pages hold while they are open.
/// </summary>
public sealed partial class ConsoleStore : IConsoleFeed
{
    private readonly Lock _gate = new();
    private readonly HistoryPoint[] _ring;
    private readonly List<Subscription> _subscribers = [];
    private readonly ILogger<ConsoleStore> _logger;
    private ConsoleSample? _latest;
    private int _next;
    private int _count;

    public ConsoleStore(int capacity, UtilizationBands bands, ILogger<ConsoleStore> logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _ring = new HistoryPoint[capacity];
        Bands = bands;
        _logger = logger;
    }

    public UtilizationBands Bands { get; }

    public int Capacity => _ring.Length;

    public ConsoleSample? Latest => Volatile.Read(ref _latest);

    public IReadOnlyList<HistoryPoint> History()
    {
        lock (_gate)
        {
            var result = new HistoryPoint[_count];
            var start = (_next - _count + _ring.Length) % _ring.Length;
            for (var i = 0; i < _count; i++)
            {
                result[i] = _ring[(start + i) % _ring.Length];
            }
            return result;
        }
    }

    public void Add(ConsoleSample sample)
    {
        Subscription[] subscribers;
        lock (_gate)
        {
            _ring[_next] = HistoryPoint.Of(sample);
            _next = (_next + 1) % _ring.Length;
            _count = Math.Min(_count + 1, _ring.Length);
            Volatile.Write(ref _latest, sample);
            subscribers = [.. _subscribers];
        }
        foreach (var subscriber in subscribers)
        {
            try
            {
                subscriber.Callback();
            }
            catch (Exception e)
            {
                // One broken page must not stop the others' updates.
                LogSubscriberFailed(_logger, e);
            }
        }
    }

    public IDisposable Subscribe(Action onSample)
    {
        var subscription = new Subscription(this, onSample);
        lock (_gate)
        {
            _subscribers.Add(subscription);
        }
        return subscription;
    }

    public int SubscriberCount
    {
        get
        {
            lock (_gate)
            {
                return _subscribers.Count;
            }
        }
    }

    private void Remove(Subscription subscription)
    {
        lock (_gate)
        {
            _subscribers.Remove(subscription);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A console page failed to take a new sample")]
    private static partial void LogSubscriberFailed(ILogger logger, Exception exception);

    private sealed class Subscription(ConsoleStore store, Action callback) : IDisposable
    {
        public Action Callback { get; } = callback;

        public void Dispose() => store.Remove(this);
    }
}
