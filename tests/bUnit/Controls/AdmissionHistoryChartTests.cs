using ExamConsole.Api.Admission;
using ExamConsole.Console.Components.Controls;
using ExamConsole.Console.Components.Pages;
using ExamConsole.Console.Model;
using ExamConsole.Console.Tests.Fakes;
using MudBlazor;

namespace ExamConsole.Console.Tests.Controls;

public sealed class AdmissionHistoryChartTests : ConsoleTest
{
    private static HistoryPoint Point(int second, int? limit, int inFlight = 0, int queued = 0, double shed = 0, AdmissionMode mode = AdmissionMode.Fixed, int changes = 0) =>
        new(Samples.Start.AddSeconds(second), 1, 1, 0, 1, limit, inFlight, queued, shed, mode, changes);

    private static List<double> Values(ChartSeries<double> series) =>
        series.Data.Values.Select(v => (double?)v ?? double.NaN).ToList();

    [Fact]
    public void Chart_DrawsTheLimitInForceBesideInFlightQueuedAndShed()
    {
        var cut = Render<AdmissionHistoryChart>(p => p.Add(c => c.History, new[]
        {
            Point(0, 64, inFlight: 60, queued: 0),
            Point(1, 70, inFlight: 70, queued: 12, shed: 0.5),
            Point(2, null, inFlight: 90, queued: 0),
        }));

        var series = cut.FindComponent<MudChart<double>>().Instance.ChartSeries;
        Assert.Equal(["limit in force", "in flight", "queued", "shed / s"], series.Select(s => s.Name));
        // The lifted limit (none) of the last sample has no point to draw.
        Assert.Equal([64, 70], Values(series[0]));
        Assert.Equal([60, 70, 90], Values(series[1]));
        Assert.Equal([0, 12, 0], Values(series[2]));
        Assert.Equal([0, 0.5, 0], Values(series[3]));
    }

    [Fact]
    public void Chart_MarksWhereAnOperatorReleasedAndPinnedTheLimit()
    {
        var cut = Render<AdmissionHistoryChart>(p => p.Add(c => c.History, new[]
        {
            Point(0, 64),
            Point(1, 64, mode: AdmissionMode.Adaptive, changes: 1),
            Point(2, 71, mode: AdmissionMode.Adaptive, changes: 1),
            Point(3, 32, mode: AdmissionMode.Fixed, changes: 2),
        }));

        var marks = cut.FindAll("[data-testid=limit-mark]").Select(m => m.TextContent.Trim()).ToList();
        Assert.Equal(["09:00:01 released (adaptive) at 64", "09:00:03 pinned at 32"], marks);
    }

    [Fact]
    public void Chart_WithoutOperatorChanges_SaysSo()
    {
        var cut = Render<AdmissionHistoryChart>(p => p.Add(c => c.History, new[] { Point(0, 64), Point(1, 80, mode: AdmissionMode.Adaptive) }));

        Assert.Empty(cut.FindAll("[data-testid=limit-mark]"));
        Assert.Contains("No operator change of the limit", cut.Find("[data-testid=limit-marks]").TextContent);
    }

    [Fact]
    public void Overview_ShowsTheAdmissionHistoryWithTheOperatorsMarks()
    {
        Feed.Publish(Samples.Sample(at: Samples.Start.AddSeconds(1)) with { Admission = new AdmissionSample(64, 4096, 50, 0, 0, 0, AdmissionMode.Fixed, 0) });
        Feed.Publish(Samples.Sample(at: Samples.Start.AddSeconds(2)) with { Admission = new AdmissionSample(64, 4096, 64, 3, 0, 0, AdmissionMode.Adaptive, 1) });

        var cut = RenderPage<Overview>(Viewer);

        Assert.Contains("released (adaptive) at 64", cut.Find("[data-testid=admission-history] [data-testid=limit-mark]").TextContent);
    }
}
