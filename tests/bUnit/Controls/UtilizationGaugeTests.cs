using ExamConsole.Console.Components.Controls;
using ExamConsole.Data.Pool;

namespace ExamConsole.Console.Tests.Controls;

public sealed class UtilizationGaugeTests : ConsoleTest
{
    [Theory]
    [InlineData(29, UtilizationBands.Green, "var(--mud-palette-success)")]
    [InlineData(29.99, UtilizationBands.Green, "var(--mud-palette-success)")]
    [InlineData(30, UtilizationBands.Yellow, "var(--mud-palette-warning)")]
    [InlineData(70, UtilizationBands.Yellow, "var(--mud-palette-warning)")]
    [InlineData(70.01, UtilizationBands.Red, "var(--mud-palette-error)")]
    [InlineData(71, UtilizationBands.Red, "var(--mud-palette-error)")]
    public void Gauge_AtTheBandEdges_TakesTheBandsColour(double percent, string band, string colour)
    {
        var cut = Render<UtilizationGauge>(p => p.Add(g => g.Value, percent).Add(g => g.Bands, new UtilizationBands()));

        Assert.Equal(band, cut.Find("[data-testid=gauge]").GetAttribute("data-band"));
        Assert.Contains(colour, cut.Find("[data-testid=gauge-value]").GetAttribute("style"));
        Assert.Contains(colour, cut.Find(".gauge-number").GetAttribute("style"));
    }

    [Fact]
    public void Gauge_DrawsBothThresholds_FromTheSettings()
    {
        var bands = new UtilizationBands { YellowFromPercent = 40, RedAbovePercent = 90 };

        var cut = Render<UtilizationGauge>(p => p.Add(g => g.Value, 85).Add(g => g.Bands, bands));

        Assert.Equal(2, cut.FindAll("[data-testid=gauge-threshold]").Count);
        Assert.Equal(["40", "90"], cut.FindAll(".gauge-threshold-label").Select(t => t.TextContent.Trim()));
        Assert.Equal(UtilizationBands.Yellow, cut.Find("[data-testid=gauge]").GetAttribute("data-band"));
    }

    [Fact]
    public void Gauge_AtZero_DrawsNoValueArc_AndSaysGreen()
    {
        var cut = Render<UtilizationGauge>(p => p.Add(g => g.Value, 0).Add(g => g.Bands, new UtilizationBands()));

        Assert.Empty(cut.FindAll("[data-testid=gauge-value]"));
        Assert.Contains("0.0 %", cut.Find(".gauge-number").TextContent);
    }
}
