using System.Globalization;

namespace ExamConsole.Console.Components;

/// <summary>How figures are written on every page: invariant, short, with their unit.</summary>
public static class Format
{
    public static string Ms(double milliseconds) =>
        milliseconds < 10 ? milliseconds.ToString("0.00", CultureInfo.InvariantCulture) + " ms"
        : milliseconds < 1000 ? milliseconds.ToString("0.0", CultureInfo.InvariantCulture) + " ms"
        : (milliseconds / 1000).ToString("0.00", CultureInfo.InvariantCulture) + " s";

    public static string Number(double value) => value.ToString("#,0.##", CultureInfo.InvariantCulture);

    public static string Percent(double value) => value.ToString("0.0", CultureInfo.InvariantCulture) + " %";

    public static string Bytes(long bytes) =>
        bytes >= 1L << 30 ? (bytes / (double)(1L << 30)).ToString("0.00", CultureInfo.InvariantCulture) + " GiB"
        : (bytes / (double)(1L << 20)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB";

    public static string Age(TimeSpan age) =>
        age.TotalSeconds < 60 ? age.TotalSeconds.ToString("0", CultureInfo.InvariantCulture) + " s"
        : age.TotalMinutes < 60 ? $"{(int)age.TotalMinutes} min {age.Seconds} s"
        : $"{(int)age.TotalHours} h {age.Minutes} min";

    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>The time of day in <paramref name="zone"/> (the operator's choice of UTC or local).</summary>
    public static string Time(DateTimeOffset at, TimeZoneInfo zone) => TimeZoneInfo.ConvertTime(at, zone).ToString("HH:mm:ss", CultureInfo.InvariantCulture);

    public static string DateTime(DateTimeOffset at, TimeZoneInfo zone) => TimeZoneInfo.ConvertTime(at, zone).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    public static string DateTime(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    public static string Limit(int? limit) => limit?.ToString("#,0", CultureInfo.InvariantCulture) ?? "none";
}
