using System.Globalization;
using ExamConsole.Api.Admin;
using ExamConsole.Api.Infrastructure;
using ExamConsole.Data;
using ExamConsole.Data.Admin;
using ExamConsole.Data.Fleet;
using ExamConsole.Data.History;
using ExamConsole.Data.Pool;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace ExamConsole.Api.History;

/// <summary>A range of the history as asked for, and the step and resolution that answer it.</summary>
public sealed record HistoryRange(DateTimeOffset From, DateTimeOffset To, int StepSeconds, int Resolution);

/// <summary><c>GET /api/admin/history</c> and <c>GET /api/admin/report</c>: the fleet's figures kept in PostgreSQL.</summary>
public static class HistoryApi
{
    /// <summary>A range gives at most this many points.</summary>
    public const int MaxPoints = 1000;

    /// <summary>The report lists at most this many operators' actions (the oldest first).</summary>
    public const int MaxActions = AuditLog.MaxListLimit;

    /// <summary>The steps a range may get, smallest first; ranges reaching past the raw retention start at a minute.</summary>
    public static readonly int[] Steps = [1, 5, 15, 60, 300, 900, 3600, 21_600, 86_400];

    public static RouteGroupBuilder MapHistoryApi(this IEndpointRouteBuilder admin)
    {
        var group = admin.MapGroup("").WithTags("History");
        group.MapGet("/history", HistoryAsync);
        group.MapGet("/report", ReportAsync);
        return group;
    }

    public static async Task<Results<Ok<HistoryResponse>, ValidationProblem>> HistoryAsync(
        string? from, string? to, string? node, HistoryReader reader, IOptions<HistoryOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        if (node is { Length: > FleetNodeRow.MaxNameLength })
        {
            return Problems.Invalid("node", $"node must be at most {FleetNodeRow.MaxNameLength} characters (got {node.Length}).");
        }
        if (Check(from, to, options.Value, time.GetUtcNow(), out var range) is { } invalid)
        {
            return invalid;
        }
        var points = await reader.PointsAsync(range.From, range.To, range.StepSeconds, range.Resolution, string.IsNullOrEmpty(node) ? null : node, cancellationToken);
        double step = range.StepSeconds;
        return TypedResults.Ok(new HistoryResponse(range.From, range.To, range.StepSeconds, points.Select(p => new HistoryPointResponse(
            p.At, Math.Round(p.Open, 2), Math.Round(p.Busy, 2), Math.Round(p.Idle, 2), Math.Round(p.Pending, 2), Math.Round(p.MaxSize, 2),
            p.MaxSize > 0 ? Math.Round(100 * p.Busy / p.MaxSize, 2) : 0,
            Math.Round(p.AcquireP99Ms, 3), Math.Round(p.Requests / step, 3), Math.Round(p.Errors / step, 3), Math.Round(p.Shed / step, 3),
            Math.Round(p.SpoolDepth, 2), p.Circuit)).ToList()));
    }

    public static async Task<Results<Ok<ReportResponse>, ValidationProblem>> ReportAsync(
        string? from,
        string? to,
        HistoryReader reader,
        IResponseTimeTargets targets,
        IAuditRange audit,
        IOptions<HistoryOptions> options,
        IOptions<PoolSettings> pool,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (Check(from, to, options.Value, time.GetUtcNow(), out var range) is { } invalid)
        {
            return invalid;
        }
        var (f, t, res) = (range.From, range.To, range.Resolution);
        var routes = await reader.RoutesAsync(f, t, res, cancellationToken);
        var bands = pool.Value.Bands;
        var poolTotals = await reader.PoolAsync(f, t, res, bands.YellowFromPercent, bands.RedAbovePercent, cancellationToken);
        var incidents = await reader.IncidentsAsync(f, t, res, cancellationToken);
        var actions = await audit.RangeAsync(f, t, MaxActions, cancellationToken);
        return TypedResults.Ok(new ReportResponse(
            f, t, res,
            Judge(routes, targets.Targets),
            new ReportPool(poolTotals.PeakUtilizationPercent, new ReportBands(poolTotals.GreenSeconds, poolTotals.YellowSeconds, poolTotals.RedSeconds),
                poolTotals.AcquireP99Ms, poolTotals.Timeouts),
            incidents.Select(i => new ReportIncident(i.Kind, i.Node, i.From, i.To, i.Detail)).ToList(),
            actions.Select(AuditApi.ToResponse).ToList()));
    }

    /// <summary>Each route seen, and each route with a target even without traffic: percentiles read from its merged buckets.</summary>
    public static List<ReportRoute> Judge(IReadOnlyList<RouteTotals> routes, IReadOnlyList<RouteTarget> targets)
    {
        var targetOf = targets.GroupBy(t => t.Route, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().TargetMs, StringComparer.Ordinal);
        var seen = routes.ToDictionary(r => r.Route, StringComparer.Ordinal);
        var names = seen.Keys.Union(targetOf.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal);
        return names.Select(name =>
        {
            var r = seen.GetValueOrDefault(name) ?? new RouteTotals(name, 0, 0, new long[LatencyBuckets.Count]);
            double? target = targetOf.TryGetValue(name, out var ms) ? ms : null;
            var p95 = LatencyBuckets.Percentile(r.Buckets, 95);
            return new ReportRoute(name, target, r.Requests, r.Errors,
                LatencyBuckets.Percentile(r.Buckets, 50), p95, LatencyBuckets.Percentile(r.Buckets, 99),
                ResponseTimeTargets.Met(p95, target, r.Requests));
        }).ToList();
    }

    /// <summary>
    /// The smallest step that gives at most <see cref="MaxPoints"/> points; a range starting before
    /// the raw retention reads the minute rollups, so its step is a minute at least.
    /// </summary>
    public static (int StepSeconds, int Resolution) Choose(DateTimeOffset from, DateTimeOffset to, DateTimeOffset now, TimeSpan rawRetention)
    {
        var resolution = from < now - rawRetention ? HistoryStore.Rollup : HistoryStore.Raw;
        var seconds = (to - from).TotalSeconds;
        foreach (var step in Steps)
        {
            if (step >= resolution && seconds / step <= MaxPoints)
            {
                return (step, resolution);
            }
        }
        return (Steps[^1], resolution);
    }

    /// <summary>Refuses a range that is missing, unreadable, empty or backwards, longer than <c>History:MaxRange</c> or older than the history keeps.</summary>
    public static ValidationProblem? Check(string? from, string? to, HistoryOptions options, DateTimeOffset now, out HistoryRange range)
    {
        range = new HistoryRange(default, default, 0, 0);
        if (Parse(from) is not { } start)
        {
            return Problems.Invalid("from", $"from must be an ISO-8601 time such as 2026-12-01T09:00:00Z (got {OptionsCheck.Quote(from)}).");
        }
        if (Parse(to) is not { } end)
        {
            return Problems.Invalid("to", $"to must be an ISO-8601 time such as 2026-12-01T11:00:00Z (got {OptionsCheck.Quote(to)}).");
        }
        if (end <= start)
        {
            return Problems.Invalid("to", $"to must be after from (got from {start:O}, to {end:O}).");
        }
        if (end - start > options.MaxRange)
        {
            return Problems.Invalid("to", $"to must be at most History:MaxRange ({OptionsCheck.Show(options.MaxRange)}) after from (got {OptionsCheck.Show(end - start)}).");
        }
        if (start < now - options.RollupRetention)
        {
            return Problems.Invalid("from", $"from must be within the history kept (History:RollupRetention, {OptionsCheck.Show(options.RollupRetention)}: from {(now - options.RollupRetention):O} on).");
        }
        var (step, resolution) = Choose(start, end, now, options.RawRetention);
        range = new HistoryRange(start, end, step, resolution);
        return null;
    }

    private static DateTimeOffset? Parse(string? value) =>
        !string.IsNullOrWhiteSpace(value)
        && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
            ? at : null;
}
