namespace ExamConsole.Data.Pool;

/// <summary>How much of the memory available to the process it uses, in percent.</summary>
public interface IProcessMemory
{
    double LoadPercent();
}

/// <summary>Working set over the memory the GC says is available (a container limit when there is one).</summary>
public sealed class ProcessMemory : IProcessMemory
{
    public double LoadPercent()
    {
        var available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return available <= 0 ? 0 : Math.Round(100.0 * Environment.WorkingSet / available, 2);
    }
}
