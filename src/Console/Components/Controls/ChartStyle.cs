using MudBlazor;

namespace ExamConsole.Console.Components.Controls;

/// <summary>
/// The console's time-series charts alike: units on the Y axis, the zone on the X axis, each value
/// with its unit on hover, and time labels spaced for the range shown.
/// </summary>
public static class ChartStyle
{
    public static TimeSeriesChartOptions Options(string unit, string zoneName, TimeSpan range, string[] palette, double? suggestedMax = null) => new()
    {
        TimeLabelSpacing = Spacing(range),
        TimeLabelFormat = range > TimeSpan.FromDays(1) ? "dd HH:mm" : "HH:mm",
        TooltipTimeLabelFormat = range > TimeSpan.FromDays(1) ? "yyyy-MM-dd HH:mm:ss" : "HH:mm:ss",
        ShowToolTips = true,
        TooltipTitleFormat = "{{SERIES_NAME}}: {{Y_VALUE}} " + unit,
        TooltipSubtitleFormat = "{{X_VALUE}} " + zoneName,
        YAxisTitle = unit,
        XAxisTitle = "time (" + zoneName + ")",
        ShowLegend = true,
        YAxisRequireZeroPoint = true,
        YAxisSuggestedMax = suggestedMax ?? 0,
        LineStrokeWidth = 2,
        ChartPalette = palette,
    };

    /// <summary>About six labels across the range, on a round step.</summary>
    public static TimeSpan Spacing(TimeSpan range)
    {
        TimeSpan[] steps =
        [
            TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(15),
            TimeSpan.FromMinutes(30), TimeSpan.FromHours(1), TimeSpan.FromHours(2), TimeSpan.FromHours(3), TimeSpan.FromHours(6),
            TimeSpan.FromHours(12), TimeSpan.FromDays(1),
        ];
        return steps.FirstOrDefault(s => range / s <= 6, TimeSpan.FromDays(2));
    }

    /// <summary>An instant as the chart draws it: the wall-clock time in the zone shown.</summary>
    public static DateTime At(DateTimeOffset at, TimeZoneInfo zone) => TimeZoneInfo.ConvertTime(at, zone).DateTime;
}
