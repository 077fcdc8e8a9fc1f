using ExamConsole.Api.Admin;
using ExamConsole.Data.Telemetry;

namespace ExamConsole.Console.Model;

/// <summary>
/// Reads a sample from the services the operator API uses: the pool snapshot, circuit and spool,
/// and the admission gate through <see cref="OperatorActions"/>; the server's backends from the
/// sampler's cache (no query per sample); the routes from <see cref="RouteLatencyRecorder"/>.
/// </summary>
public sealed class LiveSampleSource(
    OperatorActions actions,
    ServerStatsCache server,
    RouteLatencyRecorder routes,
    TimeProvider time) : ISampleSource
{
    private readonly Lock _gate = new();
    private (long Timestamp, long Rejected)? _previous;

    public ConsoleSample Read()
    {
        var pool = actions.Pool();
        var throttle = actions.Throttle();
        var now = time.GetTimestamp();
        double shedPerSecond;
        lock (_gate)
        {
            shedPerSecond = _previous is { } previous && now > previous.Timestamp
                ? Math.Max(0, (throttle.RejectedTotal - previous.Rejected) / time.GetElapsedTime(previous.Timestamp, now).TotalSeconds)
                : 0;
            _previous = (now, throttle.RejectedTotal);
        }
        var gc = GC.GetGCMemoryInfo();
        return new ConsoleSample(
            time.GetUtcNow(),
            pool,
            actions.Circuit(),
            new AdmissionSample(throttle.MaxConcurrent, throttle.QueueLimit, throttle.InFlight, throttle.Queued, throttle.RejectedTotal, Math.Round(shedPerSecond, 1),
                throttle.Mode, throttle.Changes),
            server.Latest,
            new MemorySample(Environment.WorkingSet, GC.GetTotalMemory(false), gc.TotalAvailableMemoryBytes, pool.Lifecycle.ProcessMemoryPercent, pool.Lifecycle.MemoryPressure),
            routes.Read());
    }
}
