using ExamConsole.Console.Model;
using ExamConsole.Data.Pool;

namespace ExamConsole.Console.Tests.Fakes;

/// <summary>A feed the test publishes to by hand, as the sampler would.</summary>
public sealed class FakeFeed : IConsoleFeed
{
    private readonly Lock _gate = new();
    private readonly List<HistoryPoint> _history = [];
    private readonly List<Action> _subscribers = [];

    public FakeFeed(ConsoleSample? first = null)
    {
        if (first is not null)
        {
            Publish(first);
        }
    }

    public ConsoleSample? Latest { get; private set; }

    public UtilizationBands Bands { get; set; } = new();

    public int Subscribers
    {
        get
        {
            lock (_gate)
            {
                return _subscribers.Count;
            }
        }
    }

    public IReadOnlyList<HistoryPoint> History()
    {
        lock (_gate)
        {
            return [.. _history];
        }
    }

    public void Publish(ConsoleSample sample)
    {
        Action[] subscribers;
        lock (_gate)
        {
            Latest = sample;
            _history.Add(HistoryPoint.Of(sample));
            subscribers = [.. _subscribers];
        }
        foreach (var subscriber in subscribers)
        {
            subscriber();
        }
    }

    public IDisposable Subscribe(Action onSample)
    {
        lock (_gate)
        {
            _subscribers.Add(onSample);
        }
        return new Unsubscriber(this, onSample);
    }

    private sealed class Unsubscriber(FakeFeed feed, Action callback) : IDisposable
    {
        public void Dispose()
        {
            lock (feed._gate)
            {
                feed._subscribers.Remove(callback);
            }
        }
    }
}
