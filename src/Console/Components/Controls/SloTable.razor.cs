using ExamConsole.Console.Model;
using Microsoft.AspNetCore.Components;

namespace ExamConsole.Console.Components.Controls;

public partial class SloTable
{
    /// <summary>The routes heard within the window.</summary>
    [Parameter]
    public IReadOnlyList<RouteLatency> Routes { get; set; } = [];

    /// <summary>The response-time targets by name (login 3 ms, paper 5 ms, submit 10 ms by default), from <see cref="ConsoleOptions.Targets"/>.</summary>
    [Parameter, EditorRequired]
    public IReadOnlyDictionary<string, SloTarget> Targets { get; set; } = default!;

    [Parameter]
    public double ErrorBudgetPercent { get; set; } = 1;

    [Parameter]
    public double WindowSeconds { get; set; } = 30;

    private sealed record Row(string? Name, string Route, double? TargetMs, RouteLatency? Latency);

    // The targeted routes first, in the order they are configured, even without traffic; then the others, busiest first.
    private IEnumerable<Row> Rows()
    {
        var byRoute = Routes.ToDictionary(r => r.Route, StringComparer.Ordinal);
        var targeted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, target) in Targets)
        {
            targeted.Add(target.Route);
            yield return new Row(name, target.Route, target.TargetMs, byRoute.GetValueOrDefault(target.Route));
        }
        foreach (var route in Routes.Where(r => !targeted.Contains(r.Route)))
        {
            yield return new Row(null, route.Route, null, route);
        }
    }

    private static (string Name, double Value)[] Percentiles(RouteLatency? latency) =>
        [("p50", latency?.P50Ms ?? 0), ("p95", latency?.P95Ms ?? 0), ("p99", latency?.P99Ms ?? 0)];
}
