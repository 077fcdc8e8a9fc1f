namespace ExamConsole.Api.History;

/// <summary>One route's response-time target: <c>POST /api/auth/login</c> under 3 ms.</summary>
public sealed record RouteTarget(string Route, double TargetMs);

/// <summary>The response-time targets in force on this node (the console's <c>Console:Targets</c> when it runs, the defaults otherwise).</summary>
public interface IResponseTimeTargets
{
    IReadOnlyList<RouteTarget> Targets { get; }
}

/// <summary>
/// The deployment document's response-time targets: mobile authentication under 3 ms, question
/// retrieval under 5 ms, exam submission under 10 ms. Written once here; the console's
/// <c>Console:Targets</c> starts from these and the report judges routes against the ones in force.
/// </summary>
public sealed class ResponseTimeTargets : IResponseTimeTargets
{
    public static IReadOnlyDictionary<string, RouteTarget> Defaults { get; } = new Dictionary<string, RouteTarget>(StringComparer.Ordinal)
    {
        ["login"] = new("POST /api/auth/login", 3),
        ["paper"] = new("GET /api/exams/{examId}/paper", 5),
        ["submit"] = new("POST /api/attempts/{attemptId}/submit", 10),
    };

    public IReadOnlyList<RouteTarget> Targets { get; } = [.. Defaults.Values];

    /// <summary>Whether a route met its target: its p95 within it (as the console's SLO table judges Met); null without a target or a request.</summary>
    public static bool? Met(double p95Ms, double? targetMs, long requests) =>
        targetMs is { } target && requests > 0 ? p95Ms <= target : null;
}
