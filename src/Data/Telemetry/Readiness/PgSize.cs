using System.Globalization;

namespace ExamConsole.Data.Telemetry.Readiness;

/// <summary>Memory sizes as PostgreSQL writes them ("2GB", "512MB", "8kB"; 1024-based).</summary>
public static class PgSize
{
    private static readonly (string Unit, long Bytes)[] Units =
    [
        ("TB", 1L << 40),
        ("GB", 1L << 30),
        ("MB", 1L << 20),
        ("kB", 1L << 10),
        ("B", 1),
    ];

    /// <summary>Parses "2GB", "512 MB", "8kB" or a plain number of bytes.</summary>
    public static bool TryParse(string? text, out long bytes)
    {
        bytes = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        var s = text.Trim();
        var unitBytes = 1L;
        foreach (var (unit, size) in Units)
        {
            if (s.EndsWith(unit, StringComparison.OrdinalIgnoreCase))
            {
                unitBytes = size;
                s = s[..^unit.Length].TrimEnd();
                break;
            }
        }
        if (!decimal.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number) || number < 0)
        {
            return false;
        }
        var value = number * unitBytes;
        if (value > long.MaxValue)
        {
            return false;
        }
        bytes = (long)value;
        return true;
    }

    public static long Parse(string text) =>
        TryParse(text, out var bytes) ? bytes : throw new FormatException($"\"{text}\" is not a size such as 2GB, 512MB or 8kB.");

    /// <summary>The bytes of one unit of a pg_settings row ("8kB" for shared_buffers, "kB" for work_mem, null for none).</summary>
    public static long UnitBytes(string? unit) =>
        string.IsNullOrEmpty(unit) ? 1 : TryParse(char.IsDigit(unit[0]) ? unit : "1" + unit, out var bytes) ? bytes : 1;

    /// <summary>Bytes as PostgreSQL would write them when exact ("2GB"), else with one decimal ("1.2MB").</summary>
    public static string Format(long bytes)
    {
        foreach (var (unit, size) in Units)
        {
            if (bytes >= size && unit != "B")
            {
                return bytes % size == 0
                    ? string.Create(CultureInfo.InvariantCulture, $"{bytes / size}{unit}")
                    : string.Create(CultureInfo.InvariantCulture, $"{(double)bytes / size:0.0}{unit}");
            }
        }
        return string.Create(CultureInfo.InvariantCulture, $"{bytes}B");
    }
}
