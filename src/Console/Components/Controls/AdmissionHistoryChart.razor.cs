using ExamConsole.Api.Admission;
using ExamConsole.Console.Model;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using MudBlazor.Charts;

namespace ExamConsole.Console.Components.Controls;

/// <summary>An operator's change of the admission limit: pinned (fixed) or released (adaptive), and the limit it left in force.</summary>
public sealed record LimitMark(DateTimeOffset At, AdmissionMode Mode, int? Limit);

public partial class AdmissionHistoryChart
{
    private TimeSeriesChartOptions _options = new();

    private List<ChartSeries<double>> _series = [];
    private IReadOnlyList<LimitMark> _marks = [];

    [Parameter, EditorRequired]
    public IReadOnlyList<HistoryPoint> History { get; set; } = [];

    /// <summary>The zone the times are drawn in (the operator's choice).</summary>
    [Parameter]
    public TimeZoneInfo Zone { get; set; } = TimeZoneInfo.Utc;

    [Parameter]
    public string ZoneName { get; set; } = "UTC";

    protected override void OnParametersSet()
    {
        var range = History.Count > 1 ? History[^1].At - History[0].At : TimeSpan.FromMinutes(10);
        _options = ChartStyle.Options("connections or per s", ZoneName, range, ["#43a047", "#1e88e5", "#f9a825", "#e53935"]);
        // Marks from every point, before thinning, so that none is thinned away.
        _marks = Marks(History);
        var points = PoolHistoryCharts.Thin(History);
        _series =
        [
            // A lifted limit (none) has no value to draw: its points are left out.
            Series("limit in force", points.Where(p => p.Limit is not null), p => p.Limit!.Value),
            Series("in flight", points, p => p.InFlight),
            Series("queued", points, p => p.Queued),
            Series("shed / s", points, p => p.ShedPerSecond),
        ];
    }

    /// <summary>Where the operators' change count moved between two samples: a pin or a release, with the mode and limit after it.</summary>
    public static IReadOnlyList<LimitMark> Marks(IReadOnlyList<HistoryPoint> history)
    {
        var marks = new List<LimitMark>();
        for (var i = 1; i < history.Count; i++)
        {
            if (history[i].LimitChanges != history[i - 1].LimitChanges)
            {
                marks.Add(new LimitMark(history[i].At, history[i].Mode, history[i].Limit));
            }
        }
        return marks;
    }

    private ChartSeries<double> Series(string name, IEnumerable<HistoryPoint> points, Func<HistoryPoint, double> value) => new()
    {
        Name = name,
        Data = points.Select(p => new TimeValue<double>(ChartStyle.At(p.At, Zone), value(p))).ToList(),
    };
}
