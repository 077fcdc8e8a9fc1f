using Microsoft.Extensions.Logging;

namespace ExamConsole.Data.Pool;

/// <summary>The pool engine's log messages, in one place; every part logs under the engine's category.</summary>
internal static partial class PoolLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "No connection within the acquire timeout (pool max {MaxSize}, busy {Busy}, waited {WaitedMs:F0} ms, for {Source})")]
    public static partial void AcquireTimeout(ILogger logger, int maxSize, int busy, double waitedMs, string source);

    [LoggerMessage(Level = LogLevel.Information, Message = "Backend {Pid} replaced after {Uses} uses (Pool:MaxUses)")]
    public static partial void Recycled(ILogger logger, int pid, long uses);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lease {LeaseId} held for {HeldSeconds:F1} s, past Pool:LeakThreshold: taken at {TakenAt:O} by {Source} on backend {Pid}")]
    public static partial void LeakSuspected(ILogger logger, long leaseId, string source, DateTimeOffset takenAt, int pid, double heldSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Lease {LeaseId} of {Source}, reported as held too long, came back after {HeldSeconds:F1} s")]
    public static partial void LeakReturned(ILogger logger, long leaseId, string source, double heldSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lease {LeaseId} of {Source} reclaimed after {HeldSeconds:F1} s (Pool:LeakReclaimAfter): backend {Pid} terminated")]
    public static partial void LeakReclaimed(ILogger logger, long leaseId, string source, int pid, double heldSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pool generation {Generation} in force: max {MaxSize}, min {MinSize}")]
    public static partial void Resized(ILogger logger, int generation, int maxSize, int minSize);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pool generation {Generation} not warmed now ({Reason}); the watch tops it up when nobody waits")]
    public static partial void WarmDeferred(ILogger logger, int generation, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pool generation {Generation} warmed to {Connections} connections (minimum {MinSize})")]
    public static partial void Warmed(ILogger logger, int generation, int connections, int minSize);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Memory pressure {UnderPressure} (process at {Percent:F1} %, mark {Mark} %): idle timeout {IdleSeconds} s, connection lifetime {LifetimeSeconds} s")]
    public static partial void MemoryPressure(ILogger logger, bool underPressure, double percent, double mark, double idleSeconds, double lifetimeSeconds);
}
