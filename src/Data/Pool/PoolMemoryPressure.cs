using Microsoft.Extensions.Logging;

namespace ExamConsole.Data.Pool;

/// <summary>
/// Memory pressure: above Pool:MemoryPressurePercent of the memory available to the process, the pool's
/// connections get the shorter lifecycle (the deployment's answer to memory pressure), and get their own
/// back five points below the mark.
/// </summary>
internal sealed class PoolMemoryPressure(PoolSizing sizing, IProcessMemory memory, ILogger logger)
{
    /// <summary>Points below the mark the load must fall to lift the pressure, so that a load hovering at the mark does not flap the pool.</summary>
    private const double Hysteresis = 5;

    private double _percent;

    public bool UnderPressure => sizing.UnderPressure;

    /// <summary>The process's memory load at the last check, in percent.</summary>
    public double Percent => Volatile.Read(ref _percent);

    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        var percent = memory.LoadPercent();
        Volatile.Write(ref _percent, percent);
        var mark = sizing.MemoryPressurePercent;
        var pressure = sizing.UnderPressure;
        var next = pressure ? percent >= mark - Hysteresis : percent > mark;
        if (next == pressure)
        {
            return;
        }
        var settings = await sizing.SetPressureAsync(next, cancellationToken);
        PoolLog.MemoryPressure(logger, next, percent, mark, settings.IdleTimeout.TotalSeconds, settings.ConnectionLifetime.TotalSeconds);
    }
}
