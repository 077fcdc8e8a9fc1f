using System.Collections.Concurrent;
using System.Net;

namespace ExamConsole.ExamDay;

/// <summary>
/// One rehearsal: teachers arrive on the open model's schedule (not N tight loops), each plays its
/// exam, and the run ends when all have finished or the run's bound is reached. Progress can be
/// read while it runs (<see cref="Stats"/>, the counters); the report comes at the end.
/// </summary>
public sealed class ExamDayRun
{
    private readonly ExamDayOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, long> _failures = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<Acknowledged> _acknowledged = [];
    private readonly Lock _lagLock = new();
    private long _startedAt;
    private double _maxStartLagMs;
    private int _started;
    private int _finished;
    private int _failed;
    private int _unfinished;
    private double _maxLoad;

    public ExamDayRun(ExamDayOptions options, TimeProvider? time = null)
    {
        foreach (var url in options.Nodes)
        {
            if (!SourceAddresses.IsLoopback(url))
            {
                // Rehearsal traffic stays on this machine: a load run against another host is not this tool's to send.
                throw new ArgumentException($"The target must be a loopback address (127.0.0.0/8, ::1 or localhost), not {url.Host}.");
            }
        }
        _options = options;
        _time = time ?? TimeProvider.System;
        Nodes = new NodeSet(options.Nodes, _time);
    }

    /// <summary>The submissions acknowledged so far (200 recorded or 202 queued).</summary>
    public IReadOnlyCollection<Acknowledged> Acknowledged => _acknowledged;

    /// <summary>The nodes teachers are spread over, with what each was sent.</summary>
    public NodeSet Nodes { get; }

    public RunStats Stats { get; } = new();

    public int Started => Volatile.Read(ref _started);

    public int Finished => Volatile.Read(ref _finished);

    public int Failed => Volatile.Read(ref _failed);

    public int Active => Started - Finished - Failed - Volatile.Read(ref _unfinished);

    public TimeSpan Elapsed => _startedAt == 0 ? TimeSpan.Zero : _time.GetElapsedTime(_startedAt);

    public IReadOnlyList<IPAddress> SourceAddressesUsed { get; private set; } = [];

    /// <summary>Noted by the progress display, so that the report can say how loaded the machine got.</summary>
    public void NoteLoad(double load) => _maxLoad = Math.Max(_maxLoad, load);

    public static Task<ExamDayReport> RunAsync(ExamDayOptions options, CancellationToken cancellationToken) =>
        new ExamDayRun(options).ExecuteAsync(cancellationToken);

    public async Task<ExamDayReport> ExecuteAsync(CancellationToken cancellationToken)
    {
        var o = _options;
        var loadAtStart = LoadAverage.Read();
        NoteLoad(loadAtStart);
        var peakConnections = o.Connections == ConnectionMode.Shared ? o.MaxConnections : Math.Min(o.Teachers, o.MaxActiveTeachers);
        var sources = SourceAddresses.For(o.BaseUrl, peakConnections, o.SourceAddresses);
        SourceAddressesUsed = sources?.Addresses ?? [];
        // Shared mode: one pool per node, as a balancer's clients would share its connections.
        var shared = o.Connections == ConnectionMode.Shared ? Nodes.Nodes.ToDictionary(n => n, n => NewClient(n, sources, o.MaxConnections)) : null;

        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(o.MaxDuration);
        var schedule = new ArrivalSchedule(o.ArrivalRate, o.Ramp);
        using var slots = new SemaphoreSlim(o.MaxActiveTeachers);
        var teachers = new List<Task>(o.Teachers);
        var startedAtUtc = _time.GetUtcNow();
        _startedAt = _time.GetTimestamp();

        try
        {
            for (var i = 0; i < o.Teachers; i++)
            {
                var arrival = _startedAt + (long)(schedule.ArrivalOf(i).TotalSeconds * _time.TimestampFrequency);
                var wait = arrival - _time.GetTimestamp();
                if (wait > 0)
                {
                    await Task.Delay(TimeSpan.FromSeconds((double)wait / _time.TimestampFrequency), _time, bound.Token);
                }
                // Past max-active, a teacher waits for a slot; its latencies still count from its arrival.
                await slots.WaitAsync(bound.Token);
                NoteStartLag(_time.GetElapsedTime(arrival));
                Interlocked.Increment(ref _started);
                var index = i;
                teachers.Add(Task.Run(() => PlayOneAsync(index, arrival, shared, sources, slots, bound.Token), CancellationToken.None));
            }
        }
        catch (OperationCanceledException) when (bound.IsCancellationRequested)
        {
            // The run's bound (or Ctrl+C) came before every teacher arrived: the rest never start.
        }
        await Task.WhenAll(teachers);
        foreach (var client in shared?.Values.ToList() ?? [])
        {
            client.Dispose();
        }
        var duration = Elapsed;
        var endedAtUtc = _time.GetUtcNow();
        var loadAtEnd = LoadAverage.Read();
        NoteLoad(loadAtEnd);

        // Not the run's token: after a Ctrl+C what was acknowledged must still be looked up (the settle time bounds it).
        var check = await SubmissionAudit.CheckAsync(_acknowledged.ToList(), o.Database, o.SettleTimeout, _time, CancellationToken.None);
        return BuildReport(startedAtUtc, endedAtUtc, duration, check, new LoadAverages(loadAtStart, loadAtEnd, _maxLoad));
    }

    private async Task PlayOneAsync(int index, long arrival, Dictionary<FleetNode, HttpClient>? shared, SourceAddresses? sources, SemaphoreSlim slots, CancellationToken cancellationToken)
    {
        var number = _options.FirstTeacher + index;
        var home = Nodes.HomeOf(index);
        home.CountHomeTeacher();
        // Per-teacher mode: a connection of its own to each node it talks to (its home, another after a failover).
        var route = shared is null
            ? new NodeRoute(Nodes, home, node => NewClient(node, sources, maxConnections: 1), ownsClients: true, Nodes.SpreadOf(index))
            : new NodeRoute(Nodes, home, node => shared[node], ownsClients: false, Nodes.SpreadOf(index));
        try
        {
            var http = new TeacherHttp(route, Stats, _options.MaxTries, _time);
            var teacher = new VirtualTeacher(number, http, _options, new Random(HashCode.Combine(_options.Seed, number)), _time);
            var outcome = await teacher.PlayAsync(arrival, cancellationToken);
            if (teacher.Submission is { } acknowledged)
            {
                _acknowledged.Add(acknowledged);
            }
            switch (outcome)
            {
                case TeacherOutcome.Finished:
                    Interlocked.Increment(ref _finished);
                    break;
                case TeacherOutcome.Failed:
                    Interlocked.Increment(ref _failed);
                    _failures.AddOrUpdate(teacher.FailureReason ?? "unknown", 1, static (_, n) => n + 1);
                    break;
                default:
                    Interlocked.Increment(ref _unfinished);
                    break;
            }
        }
        catch (Exception ex)
        {
            // A bug in the tool must show in the report, not end the run.
            Interlocked.Increment(ref _failed);
            _failures.AddOrUpdate("tool error: " + ex.GetType().Name + ": " + ex.Message, 1, static (_, n) => n + 1);
        }
        finally
        {
            route.Dispose();
            slots.Release();
        }
    }

    private HttpClient NewClient(FleetNode node, SourceAddresses? sources, int maxConnections)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = maxConnections,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
        };
        if (sources is not null)
        {
            handler.ConnectCallback = sources.ConnectAsync;
        }
        return new HttpClient(handler, disposeHandler: true) { BaseAddress = node.Url, Timeout = _options.RequestTimeout };
    }

    private void NoteStartLag(TimeSpan lag)
    {
        lock (_lagLock)
        {
            _maxStartLagMs = Math.Max(_maxStartLagMs, lag.TotalMilliseconds);
        }
    }

    private ExamDayReport BuildReport(DateTimeOffset startedAt, DateTimeOffset endedAt, TimeSpan duration, SubmissionCheck check, LoadAverages load)
    {
        var o = _options;
        var seconds = Math.Max(duration.TotalSeconds, 0.001);
        var endpoints = Stats.All.Select(e =>
        {
            e.Drain();
            var total = e.Total();
            var statuses = e.Statuses;
            var errors = statuses.Where(s => !(s.Key == "ack" || (s.Key.Length == 3 && s.Key[0] == '2'))).ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);
            var count = e.Requests;
            return new EndpointReport(e.Name, count, Math.Round(count / seconds, 1), total.P50Ms, total.P95Ms, total.P99Ms, total.MaxMs, statuses, errors, e.ServerErrors);
        }).ToList();
        var settings = new ReportSettings(
            Nodes.ToString(), o.Teachers, o.FirstTeacher, o.ExamSlot, o.ArrivalRate, o.Ramp.TotalSeconds, o.Rounds, o.AnswersPerSave,
            o.ThinkTime.TotalMilliseconds, o.MaxDuration.TotalSeconds, o.MaxActiveTeachers,
            o.Connections == ConnectionMode.Shared ? $"shared ({o.MaxConnections})" : "per-teacher",
            SourceAddressesUsed.Select(a => a.ToString()).ToList());
        var teachers = new TeacherCounts(
            o.Teachers, Started, Finished, Failed, Volatile.Read(ref _unfinished), Math.Round(_maxStartLagMs, 2),
            new SortedDictionary<string, long>(_failures, StringComparer.Ordinal));
        return new ExamDayReport(startedAt, endedAt, Math.Round(duration.TotalSeconds, 2), settings, teachers, endpoints, check, load, Nodes.Report());
    }
}
