using System.Globalization;
using Spectre.Console;

namespace ExamConsole.ExamDay;

/// <summary>
/// Shows a run while it goes: a live Spectre.Console table when attached to a terminal, plain
/// periodic lines otherwise (a log file, CI). Each tick drains the endpoints' interval histograms,
/// so req/s and p99 are of the last interval.
/// </summary>
public sealed class ProgressView(ExamDayRun run, TimeSpan plainInterval)
{
    private static readonly TimeSpan LiveInterval = TimeSpan.FromMilliseconds(500);
    private long _lastRequests;
    private TimeSpan _lastElapsed;

    public static bool Interactive => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    public Task ShowAsync(Task running) => Interactive ? LiveAsync(running) : PlainAsync(running);

    private async Task LiveAsync(Task running)
    {
        await AnsiConsole.Live(new Text("ExamDay: starting")).AutoClear(false).StartAsync(async context =>
        {
            while (!running.IsCompleted)
            {
                await Task.WhenAny(running, Task.Delay(LiveInterval));
                context.UpdateTarget(Render(Tick()));
                context.Refresh();
            }
        });
    }

    private async Task PlainAsync(Task running)
    {
        while (!running.IsCompleted)
        {
            await Task.WhenAny(running, Task.Delay(plainInterval));
            var tick = Tick();
            var p99 = string.Join(' ', tick.Endpoints.Select(e => $"{e.Name} {(e.Latency.Count == 0 ? "-" : e.Latency.P99Ms.ToString("F1", CultureInfo.InvariantCulture))}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[{tick.Elapsed.TotalSeconds,6:F1}s] teachers started {run.Started} finished {run.Finished} failed {run.Failed} active {run.Active} | {tick.RequestsPerSecond:F0} req/s | errors {tick.Errors} | load {tick.Load:F2} | p99 ms {p99}"));
        }
    }

    /// <summary><paramref name="Latency"/> is of the last interval, <paramref name="Total"/> of the whole run so far.</summary>
    private sealed record EndpointTick(string Name, long Requests, long Errors, LatencySummary Latency, LatencySummary Total);

    private sealed record TickView(TimeSpan Elapsed, double RequestsPerSecond, long Errors, double Load, List<EndpointTick> Endpoints);

    private TickView Tick()
    {
        var elapsed = run.Elapsed;
        var endpoints = run.Stats.All.Select(e => new EndpointTick(e.Name, e.Requests, e.Errors, e.Drain(), e.Total())).ToList();
        var requests = run.Stats.Requests;
        var span = (elapsed - _lastElapsed).TotalSeconds;
        var rate = span > 0 ? (requests - _lastRequests) / span : 0;
        _lastRequests = requests;
        _lastElapsed = elapsed;
        var load = LoadAverage.Read();
        run.NoteLoad(load);
        return new TickView(elapsed, rate, run.Stats.Errors, load, endpoints);
    }

    private Rows Render(TickView tick)
    {
        var header = new Markup(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"ExamDay {tick.Elapsed.TotalSeconds:F0} s: teachers started {run.Started}, finished {run.Finished}, failed {run.Failed}, active {run.Active} | {tick.RequestsPerSecond:F0} req/s | load {tick.Load:F2}")));
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumns("endpoint", "requests", "errors", "p99 ms (last interval)", "p50 ms", "p99 ms", "max ms");
        foreach (var column in table.Columns.Skip(1))
        {
            column.RightAligned();
        }
        foreach (var e in tick.Endpoints)
        {
            table.AddRow(
                e.Name,
                e.Requests.ToString(CultureInfo.InvariantCulture),
                e.Errors == 0 ? "0" : $"[red]{e.Errors}[/]",
                Ms(e.Latency, e.Latency.P99Ms),
                Ms(e.Total, e.Total.P50Ms),
                Ms(e.Total, e.Total.P99Ms),
                Ms(e.Total, e.Total.MaxMs));
        }
        return new Rows(header, table);
    }

    private static string Ms(LatencySummary summary, double value) =>
        summary.Count == 0 ? "-" : value.ToString("F2", CultureInfo.InvariantCulture);
}
