namespace ExamConsole.Console.Model;

/// <summary>How the operator's browser wants the console shown: light, dark, or as the system says.</summary>
public enum ThemeChoice
{
    System,
    Light,
    Dark,
}

/// <summary>
/// One browser's display choices, for its circuit: the zone times are read in (UTC or the browser's
/// own) and the theme. The layout loads them from the browser's localStorage after the first render
/// and saves each change; components re-render on <see cref="Changed"/>.
/// </summary>
public sealed class DisplayPreferences
{
    public const string ZoneKey = "examconsole.zone";
    public const string ThemeKey = "examconsole.theme";
    public const string UtcValue = "utc";
    public const string LocalValue = "local";

    /// <summary>The browser's zone, once it said (UTC until then, and when the server does not know it).</summary>
    public TimeZoneInfo BrowserZone { get; private set; } = TimeZoneInfo.Utc;

    public bool UseUtc { get; private set; } = true;

    public ThemeChoice Theme { get; private set; } = ThemeChoice.System;

    /// <summary>Whether the system (the browser's prefers-color-scheme) asks for dark.</summary>
    public bool SystemDark { get; private set; }

    public bool IsDark => Theme == ThemeChoice.Dark || (Theme == ThemeChoice.System && SystemDark);

    public TimeZoneInfo Zone => UseUtc ? TimeZoneInfo.Utc : BrowserZone;

    /// <summary>"UTC", or the browser's zone as the browser named it.</summary>
    public string ZoneName => UseUtc ? "UTC" : BrowserZone.Id;

    public event Action? Changed;

    public DateTimeOffset Local(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, Zone);

    public string Time(DateTimeOffset at) => Local(at).ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);

    public string DateTime(DateTimeOffset at) => Local(at).ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>What the browser said: its IANA zone, and the stored choices (null when none was stored).</summary>
    public void Load(string? browserZone, string? zone, string? theme, bool systemDark)
    {
        BrowserZone = FindZone(browserZone) ?? TimeZoneInfo.Utc;
        UseUtc = zone != LocalValue;
        Theme = Enum.TryParse<ThemeChoice>(theme, ignoreCase: true, out var t) ? t : ThemeChoice.System;
        SystemDark = systemDark;
        Changed?.Invoke();
    }

    public void SetUtc(bool utc)
    {
        UseUtc = utc;
        Changed?.Invoke();
    }

    public void SetTheme(ThemeChoice theme)
    {
        Theme = theme;
        Changed?.Invoke();
    }

    public void SetSystemDark(bool dark)
    {
        SystemDark = dark;
        Changed?.Invoke();
    }

    private static TimeZoneInfo? FindZone(string? id)
    {
        if (string.IsNullOrWhiteSpace(id) || id.Length > 64)
        {
            return null;
        }
        return TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : null;
    }
}
