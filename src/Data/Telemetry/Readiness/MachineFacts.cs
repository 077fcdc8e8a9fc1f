using System.Globalization;

namespace ExamConsole.Data.Telemetry.Readiness;

/// <summary>Reads the facts of this machine and process that Linux keeps under /proc.</summary>
public static class MachineFacts
{
    /// <summary>The soft limit of open files from the text of /proc/self/limits (long.MaxValue for unlimited).</summary>
    public static long? OpenFilesSoftLimit(string? limits)
    {
        foreach (var line in Lines(limits))
        {
            if (line.StartsWith("Max open files", StringComparison.Ordinal))
            {
                var soft = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
                return soft == "unlimited" ? long.MaxValue : long.TryParse(soft, CultureInfo.InvariantCulture, out var n) ? n : null;
            }
        }
        return null;
    }

    /// <summary>MemTotal in bytes from the text of /proc/meminfo.</summary>
    public static long? MemTotalBytes(string? meminfo) => KilobyteField(meminfo, "MemTotal:");

    /// <summary>The proportional set size in bytes from the text of /proc/PID/smaps_rollup.</summary>
    public static long? PssBytes(string? smapsRollup) => KilobyteField(smapsRollup, "Pss:");

    /// <summary>The share of shared memory (PostgreSQL's shared segment) in that Pss; missing before Linux 5.x.</summary>
    public static long? PssShmemBytes(string? smapsRollup) => KilobyteField(smapsRollup, "Pss_Shmem:");

    /// <summary>The file's text, or null when it is missing or unreadable (another user's process, not Linux).</summary>
    public static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static long? KilobyteField(string? text, string field)
    {
        foreach (var line in Lines(text))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                var parts = line[field.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return parts.Length > 0 && long.TryParse(parts[0], CultureInfo.InvariantCulture, out var kb) ? kb * 1024 : null;
            }
        }
        return null;
    }

    private static string[] Lines(string? text) => text?.Split('\n') ?? [];
}
