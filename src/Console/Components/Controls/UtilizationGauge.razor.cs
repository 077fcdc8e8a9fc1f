using System.Globalization;
using ExamConsole.Data.Pool;
using Microsoft.AspNetCore.Components;

namespace ExamConsole.Console.Components.Controls;

public partial class UtilizationGauge
{
    private const double Radius = 72;
    private const double CenterX = 100;
    private const double CenterY = 100;

    /// <summary>Busy connections over the pool's max, in percent.</summary>
    [Parameter]
    public double Value { get; set; }

    /// <summary>The thresholds, from the pool's settings (never typed here).</summary>
    [Parameter, EditorRequired]
    public UtilizationBands Bands { get; set; } = default!;

    private string Band => Bands.BandOf(Value);

    private double Clamped => Math.Clamp(Value, 0, 100);

    // 0 % is on the left, 100 % on the right, over the top.
    private static (double X, double Y) Point(double percent, double radius)
    {
        var angle = Math.PI * (1 - Math.Clamp(percent, 0, 100) / 100);
        return (CenterX + radius * Math.Cos(angle), CenterY - radius * Math.Sin(angle));
    }

    private static string Arc(double fromPercent, double toPercent)
    {
        var (x1, y1) = Point(fromPercent, Radius);
        var (x2, y2) = Point(toPercent, Radius);
        return $"M {F(x1)} {F(y1)} A {F(Radius)} {F(Radius)} 0 0 1 {F(x2)} {F(y2)}";
    }

    private static string F(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
