using System.Diagnostics.Metrics;

namespace ExamConsole.Data.Pool;

/// <summary>
/// Reads Npgsql's own pool metrics (meter "Npgsql") for the pool named <see cref="ExamDataSource.PoolName"/>
/// through a <see cref="MeterListener"/>: connections idle and used, max, pending requests, timeouts.
/// Nothing here is counted by hand; the figures are Npgsql's, summed over the pool's generations.
/// Npgsql's timing of each new physical connection is passed on through <see cref="ConnectionCreated"/>.
/// </summary>
public sealed class NpgsqlPoolMetrics : IDisposable
{
    private const string PoolNameTag = "db.client.connection.pool.name";
    private const string StateTag = "db.client.connection.state";
    private const string CreateTimeInstrument = "db.client.connection.npgsql.create_time";

    private readonly MeterListener _listener = new();
    private readonly Lock _gate = new();
    private readonly string _poolName;
    private long _pending;
    private long _timeouts;

    // Written only while RecordObservableInstruments runs, under _gate.
    private int _idle;
    private int _used;
    private int _max;

    public NpgsqlPoolMetrics(string poolName = ExamDataSource.PoolName)
    {
        _poolName = poolName;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Npgsql" && instrument.Name is
                "db.client.connection.count" or "db.client.connection.max"
                or "db.client.connection.npgsql.pending_requests" or "db.client.connection.npgsql.timeouts"
                or CreateTimeInstrument)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>(OnMeasurement);
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, state) => OnMeasurement(instrument, (int)value, tags, state));
        _listener.SetMeasurementEventCallback<double>(OnCreateTime);
        _listener.Start();
    }

    /// <summary>Raised with the seconds Npgsql took to open each new physical connection of the pool.</summary>
    public event Action<double>? ConnectionCreated;

    public readonly record struct Reading(int Idle, int Used, int Max, int Pending, long Timeouts)
    {
        public int Open => Idle + Used;
    }

    public Reading Read()
    {
        lock (_gate)
        {
            _idle = _used = _max = 0;
            _listener.RecordObservableInstruments();
            return new Reading(_idle, _used, _max, (int)Math.Max(0, Interlocked.Read(ref _pending)), Interlocked.Read(ref _timeouts));
        }
    }

    private void OnMeasurement(Instrument instrument, int value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        string? pool = null, connectionState = null;
        foreach (var tag in tags)
        {
            if (tag.Key == PoolNameTag)
            {
                pool = tag.Value as string;
            }
            else if (tag.Key == StateTag)
            {
                connectionState = tag.Value as string;
            }
        }
        if (pool != _poolName)
        {
            return;
        }
        switch (instrument.Name)
        {
            case "db.client.connection.count" when connectionState == "idle":
                _idle += value;
                break;
            case "db.client.connection.count" when connectionState == "used":
                _used += value;
                break;
            case "db.client.connection.max":
                _max += value;
                break;
            case "db.client.connection.npgsql.pending_requests":
                Interlocked.Add(ref _pending, value);
                break;
            case "db.client.connection.npgsql.timeouts":
                Interlocked.Add(ref _timeouts, value);
                break;
        }
    }

    private void OnCreateTime(Instrument instrument, double seconds, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == PoolNameTag && tag.Value as string == _poolName)
            {
                ConnectionCreated?.Invoke(seconds);
                return;
            }
        }
    }

    public void Dispose() => _listener.Dispose();
}
