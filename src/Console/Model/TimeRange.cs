using System.Globalization;

namespace ExamConsole.Console.Model;

/// <summary>The ranges an operator picks from; <see cref="Live"/> is the store's in-memory minutes, the others read the history.</summary>
public enum RangeKind
{
    Live,
    Last10Minutes,
    LastHour,
    ExamDay,
    Custom,
}

/// <summary>A range of the history, from (inclusive) to (exclusive), in UTC.</summary>
public sealed record TimeRange(RangeKind Kind, DateTimeOffset From, DateTimeOffset To)
{
    /// <summary>The format of the custom range's inputs (an HTML datetime-local value), read in the zone shown.</summary>
    public const string InputFormat = "yyyy-MM-ddTHH:mm";

    /// <summary>A custom range may end this far past now: the clocks of the browser and the server differ a little.</summary>
    public static readonly TimeSpan ClockSlack = TimeSpan.FromMinutes(1);

    public static string Label(RangeKind kind) => kind switch
    {
        RangeKind.Live => "Live",
        RangeKind.Last10Minutes => "Last 10 minutes",
        RangeKind.LastHour => "Last hour",
        RangeKind.ExamDay => "Exam day",
        _ => "Custom",
    };

    /// <summary>
    /// The range a preset stands for at <paramref name="now"/>. The exam day runs from today's
    /// midnight in <paramref name="zone"/> (the zone the operator reads times in) to now.
    /// </summary>
    public static TimeRange Of(RangeKind kind, DateTimeOffset now, TimeZoneInfo zone) => kind switch
    {
        RangeKind.Last10Minutes => new(kind, now.AddMinutes(-10), now),
        RangeKind.LastHour => new(kind, now.AddHours(-1), now),
        RangeKind.ExamDay => new(kind, MidnightIn(now, zone), now),
        RangeKind.Live => new(kind, now.AddMinutes(-10), now),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "A custom range needs its from and to: use Custom(...)."),
    };

    /// <summary>Today's 00:00 in <paramref name="zone"/>, as a UTC instant.</summary>
    public static DateTimeOffset MidnightIn(DateTimeOffset now, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var midnight = local.Date;
        // A zone whose clocks skip midnight (a DST change at 00:00) starts the day at the first valid minute.
        while (zone.IsInvalidTime(midnight))
        {
            midnight = midnight.AddMinutes(30);
        }
        return new DateTimeOffset(midnight, zone.GetUtcOffset(midnight)).ToUniversalTime();
    }

    /// <summary>
    /// A custom range from the two inputs, read in <paramref name="zone"/>: both given, to after from,
    /// and not ending in the future. Returns the reason when refused.
    /// </summary>
    public static string? Custom(string? from, string? to, TimeZoneInfo zone, DateTimeOffset now, out TimeRange? range)
    {
        range = null;
        if (Parse(from, zone) is not { } start)
        {
            return "From must be a date and time (" + InputFormat.Replace('T', ' ') + ").";
        }
        if (Parse(to, zone) is not { } end)
        {
            return "To must be a date and time (" + InputFormat.Replace('T', ' ') + ").";
        }
        if (end <= start)
        {
            return "To must be after from.";
        }
        if (end > now + ClockSlack)
        {
            return "To must not be in the future.";
        }
        range = new TimeRange(RangeKind.Custom, start, end);
        return null;
    }

    /// <summary>An input's value for <paramref name="at"/> shown in <paramref name="zone"/>.</summary>
    public static string Input(DateTimeOffset at, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(at, zone).ToString(InputFormat, CultureInfo.InvariantCulture);

    private static DateTimeOffset? Parse(string? value, TimeZoneInfo zone)
    {
        if (string.IsNullOrWhiteSpace(value)
            || !DateTime.TryParseExact(value.Trim(), [InputFormat, InputFormat + ":ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss"],
                CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            return null;
        }
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        // A time the clocks skip does not exist: take the one just after the change.
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(30);
        }
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }
}
