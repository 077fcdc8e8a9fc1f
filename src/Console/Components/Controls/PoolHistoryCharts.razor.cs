using System.Globalization;
using ExamConsole.Console.Model;
using ExamConsole.Data.Pool;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using MudBlazor.Charts;

namespace ExamConsole.Console.Components.Controls;

public partial class PoolHistoryCharts
{
    /// <summary>More points than this are thinned (every n-th kept): the chart is redrawn every second.</summary>
    public const int MaxPoints = 300;

    private TimeSeriesChartOptions _connectionOptions = new();
    private TimeSeriesChartOptions _utilizationOptions = new();

    private List<ChartSeries<double>> _connections = [];
    private List<ChartSeries<double>> _utilization = [];

    [Parameter, EditorRequired]
    public IReadOnlyList<HistoryPoint> History { get; set; } = [];

    [Parameter, EditorRequired]
    public UtilizationBands Bands { get; set; } = default!;

    /// <summary>The zone the times are drawn in (the operator's choice).</summary>
    [Parameter]
    public TimeZoneInfo Zone { get; set; } = TimeZoneInfo.Utc;

    [Parameter]
    public string ZoneName { get; set; } = "UTC";

    private string Caption => History.Count == 0
        ? "No samples yet."
        : $"{History.Count} samples from {Show(History[0].At)} to {Show(History[^1].At)} {ZoneName}, one a second, kept on the server.";

    protected override void OnParametersSet()
    {
        var range = History.Count > 1 ? History[^1].At - History[0].At : TimeSpan.FromMinutes(10);
        _connectionOptions = ChartStyle.Options("connections", ZoneName, range, ["#1e88e5", "#90a4ae", "#8e24aa"]);
        _utilizationOptions = ChartStyle.Options("%", ZoneName, range, ["#1e88e5", "#f9a825", "#e53935"], suggestedMax: 100);
        var points = Thin(History);
        _connections =
        [
            Series("busy", points, p => p.Busy),
            Series("idle", points, p => p.Idle),
            Series("pending", points, p => p.Pending),
        ];
        _utilization =
        [
            Series("utilization", points, p => p.UtilizationPercent),
            Series($"yellow from {Bands.YellowFromPercent:0.#}", points, _ => Bands.YellowFromPercent),
            Series($"red above {Bands.RedAbovePercent:0.#}", points, _ => Bands.RedAbovePercent),
        ];
    }

    internal static List<HistoryPoint> Thin(IReadOnlyList<HistoryPoint> history)
    {
        var step = Math.Max(1, (int)Math.Ceiling(history.Count / (double)MaxPoints));
        var result = new List<HistoryPoint>(history.Count / step + 1);
        for (var i = (history.Count - 1) % step; i < history.Count; i += step)
        {
            result.Add(history[i]);
        }
        return result;
    }

    private ChartSeries<double> Series(string name, List<HistoryPoint> points, Func<HistoryPoint, double> value) => new()
    {
        Name = name,
        Data = points.Select(p => new TimeValue<double>(ChartStyle.At(p.At, Zone), value(p))).ToList(),
    };

    private string Show(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, Zone).ToString("HH:mm:ss", CultureInfo.InvariantCulture);
}
