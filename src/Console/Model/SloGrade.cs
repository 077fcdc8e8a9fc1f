namespace ExamConsole.Console.Model;

public enum SloStatus
{
    /// <summary>The route has no target: shown, not judged.</summary>
    NoTarget,

    /// <summary>No request within the window.</summary>
    NoTraffic,

    /// <summary>p95 within the target.</summary>
    Met,

    /// <summary>p95 over the target, the median still within it.</summary>
    AtRisk,

    /// <summary>Even the median is over the target.</summary>
    Missed,
}

/// <summary>How the SLO table judges a route against its target.</summary>
public static class SloGrade
{
    public static SloStatus Of(RouteLatency? route, double? targetMs)
    {
        if (targetMs is not { } target)
        {
            return SloStatus.NoTarget;
        }
        if (route is null || route.Requests == 0)
        {
            return SloStatus.NoTraffic;
        }
        return route.P95Ms <= target ? SloStatus.Met
            : route.P50Ms <= target ? SloStatus.AtRisk
            : SloStatus.Missed;
    }

    /// <summary>One latency figure against the target: within it or not (null: nothing to judge).</summary>
    public static bool? Within(double milliseconds, double? targetMs, long requests) =>
        targetMs is { } target && requests > 0 ? milliseconds <= target : null;

    public static bool ErrorsOverBudget(RouteLatency? route, double budgetPercent) =>
        route is { Requests: > 0 } && route.ErrorRatePercent > budgetPercent;
}
