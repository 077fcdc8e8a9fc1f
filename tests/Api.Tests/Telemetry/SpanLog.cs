using System.Collections;
using System.Diagnostics;

namespace ExamConsole.Api.Tests.Telemetry;

/// <summary>The spans an in-memory exporter hands over, safe to read while the host keeps adding to it.</summary>
internal sealed class SpanLog : ICollection<Activity>
{
    private readonly Lock _gate = new();
    private readonly List<Activity> _spans = [];

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _spans.Count;
            }
        }
    }

    public bool IsReadOnly => false;

    public List<Activity> Snapshot()
    {
        lock (_gate)
        {
            return [.. _spans];
        }
    }

    public Activity? Find(Func<Activity, bool> match) => Snapshot().FirstOrDefault(match);

    public void Add(Activity item)
    {
        lock (_gate)
        {
            _spans.Add(item);
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _spans.Clear();
        }
    }

    public bool Contains(Activity item) => Snapshot().Contains(item);

    public void CopyTo(Activity[] array, int arrayIndex) => Snapshot().CopyTo(array, arrayIndex);

    public bool Remove(Activity item)
    {
        lock (_gate)
        {
            return _spans.Remove(item);
        }
    }

    public IEnumerator<Activity> GetEnumerator() => Snapshot().GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
