using ExamConsole.Console.Model;
using ExamConsole.Data.Pool;
using MudBlazor;

namespace ExamConsole.Console.Components.Controls;

/// <summary>How the console colours bands and SLO states: one mapping for every page.</summary>
public static class BandStyle
{
    public static Color ColorOf(string band) => band switch
    {
        UtilizationBands.Green => Color.Success,
        UtilizationBands.Yellow => Color.Warning,
        UtilizationBands.Red => Color.Error,
        _ => Color.Default,
    };

    /// <summary>The band's colour for SVG and inline styles.</summary>
    public static string CssColorOf(string band) => band switch
    {
        UtilizationBands.Green => "var(--mud-palette-success)",
        UtilizationBands.Yellow => "var(--mud-palette-warning)",
        UtilizationBands.Red => "var(--mud-palette-error)",
        _ => "var(--mud-palette-text-secondary)",
    };

    public static string ClassOf(string band) => "band-" + band;

    public static Color ColorOf(SloStatus status) => status switch
    {
        SloStatus.Met => Color.Success,
        SloStatus.AtRisk => Color.Warning,
        SloStatus.Missed => Color.Error,
        _ => Color.Default,
    };

    public static string ClassOf(SloStatus status) => status switch
    {
        SloStatus.Met => "slo-met",
        SloStatus.AtRisk => "slo-at-risk",
        SloStatus.Missed => "slo-missed",
        _ => "slo-none",
    };

    public static string TextOf(SloStatus status) => status switch
    {
        SloStatus.Met => "met",
        SloStatus.AtRisk => "at risk",
        SloStatus.Missed => "missed",
        SloStatus.NoTraffic => "no traffic",
        _ => "no target",
    };

    /// <summary>A figure within its target is green, over it red; nothing to judge, no colour.</summary>
    public static string ClassOf(bool? within) => within switch
    {
        true => "slo-met",
        false => "slo-missed",
        _ => "",
    };
}
