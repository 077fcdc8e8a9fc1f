using System.Globalization;
using ExamConsole.Api.History;
using ExamConsole.Data.Pool;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using MudBlazor.Charts;

namespace ExamConsole.Console.Components.Controls;

public partial class RangeHistoryCharts
{
    private List<ChartSeries<double>> _connections = [];
    private List<ChartSeries<double>> _utilization = [];
    private List<ChartSeries<double>> _traffic = [];
    private List<ChartSeries<double>> _acquire = [];
    private TimeSeriesChartOptions _connectionOptions = new();
    private TimeSeriesChartOptions _utilizationOptions = new();
    private TimeSeriesChartOptions _trafficOptions = new();
    private TimeSeriesChartOptions _acquireOptions = new();

    [Parameter, EditorRequired]
    public HistoryResponse History { get; set; } = default!;

    [Parameter, EditorRequired]
    public UtilizationBands Bands { get; set; } = default!;

    [Parameter]
    public TimeZoneInfo Zone { get; set; } = TimeZoneInfo.Utc;

    [Parameter]
    public string ZoneName { get; set; } = "UTC";

    private string Caption => History.Points.Count == 0
        ? $"No history from {Show(History.From)} to {Show(History.To)} {ZoneName}: no node wrote samples then."
        : $"{History.Points.Count} points from {Show(History.From)} to {Show(History.To)} {ZoneName}, one per {Step()}, every node summed.";

    protected override void OnParametersSet()
    {
        var range = History.To - History.From;
        _connectionOptions = ChartStyle.Options("connections", ZoneName, range, ["#1e88e5", "#90a4ae", "#8e24aa"]);
        _utilizationOptions = ChartStyle.Options("%", ZoneName, range, ["#1e88e5", "#f9a825", "#e53935"], suggestedMax: 100);
        _trafficOptions = ChartStyle.Options("per s", ZoneName, range, ["#43a047", "#e53935", "#f9a825"]);
        _acquireOptions = ChartStyle.Options("ms", ZoneName, range, ["#6d4c41"]);
        var points = History.Points;
        _connections = [Series("busy", points, p => p.Busy), Series("idle", points, p => p.Idle), Series("pending", points, p => p.Pending)];
        _utilization =
        [
            Series("utilization", points, p => p.UtilizationPercent),
            Series($"yellow from {Bands.YellowFromPercent:0.#}", points, _ => Bands.YellowFromPercent),
            Series($"red above {Bands.RedAbovePercent:0.#}", points, _ => Bands.RedAbovePercent),
        ];
        _traffic = [Series("requests", points, p => p.RequestsPerSecond), Series("errors", points, p => p.ErrorsPerSecond), Series("shed", points, p => p.ShedPerSecond)];
        _acquire = [Series("acquire p99", points, p => p.AcquireP99Ms)];
    }

    private ChartSeries<double> Series(string name, IReadOnlyList<HistoryPointResponse> points, Func<HistoryPointResponse, double> value) => new()
    {
        Name = name,
        Data = points.Select(p => new TimeValue<double>(ChartStyle.At(p.At, Zone), value(p))).ToList(),
    };

    private string Show(DateTimeOffset at) =>
        TimeZoneInfo.ConvertTime(at, Zone).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private string Step() => History.StepSeconds switch
    {
        < 60 => $"{History.StepSeconds} s",
        < 3600 => $"{History.StepSeconds / 60} min",
        _ => $"{History.StepSeconds / 3600} h",
    };
}
