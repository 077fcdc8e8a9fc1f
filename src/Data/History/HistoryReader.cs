using ExamConsole.Data.Telemetry;
using Npgsql;
using NpgsqlTypes;

namespace ExamConsole.Data.History;

/// <summary>
/// Reads the history back: points per step, the routes' merged counts, the pool over a range and the
/// incidents, at one resolution (<see cref="HistoryStore.Raw"/> or <see cref="HistoryStore.Rollup"/>),
/// on the operators' small pool.
/// </summary>
public sealed class HistoryReader(TelemetryDataSource database)
{
    /// <summary>A node silent for this long while others (or the range) go on is reported lost.</summary>
    public static readonly TimeSpan LostAfter = TimeSpan.FromSeconds(10);

    private const string Range = "resolution = @resolution AND at >= @from AND at < @to";

    /// <summary>
    /// One point per step that holds samples: each node's gauges averaged over the step (the acquire
    /// p99 and the circuit: the worst), then summed over the nodes (all of them when <paramref name="node"/> is null).
    /// </summary>
    public async Task<IReadOnlyList<HistoryPoint>> PointsAsync(DateTimeOffset from, DateTimeOffset to, int stepSeconds, int resolution, string? node, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"""
            WITH per_node AS (
                SELECT node, to_timestamp(floor(extract(epoch FROM at) / @step) * @step) AS t,
                       avg(open) AS open, avg(busy) AS busy, avg(idle) AS idle, avg(pending) AS pending, avg(max_size) AS max_size,
                       max(acquire_p99ms) AS acquire, sum(requests) AS requests, sum(errors) AS errors, sum(shed) AS shed,
                       avg(spool_depth) AS spool, max({CircuitRank.Sql}) AS circuit
                FROM history_samples WHERE {Range} AND (@node::text IS NULL OR node = @node)
                GROUP BY node, t)
            SELECT t, sum(open)::float8, sum(busy)::float8, sum(idle)::float8, sum(pending)::float8, sum(max_size)::float8, max(acquire)::float8,
                   sum(requests)::bigint, sum(errors)::bigint, sum(shed)::bigint, sum(spool)::float8, max(circuit)
            FROM per_node GROUP BY t ORDER BY t
            """, connection);
        AddRange(command, from, to, resolution);
        command.Parameters.AddWithValue("step", (double)stepSeconds);
        command.Parameters.Add(new NpgsqlParameter("node", NpgsqlDbType.Text) { Value = (object?)node ?? DBNull.Value });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var points = new List<HistoryPoint>();
        while (await reader.ReadAsync(cancellationToken))
        {
            points.Add(new HistoryPoint(
                reader.GetFieldValue<DateTimeOffset>(0), reader.GetDouble(1), reader.GetDouble(2), reader.GetDouble(3), reader.GetDouble(4),
                reader.GetDouble(5), reader.GetDouble(6), reader.GetInt64(7), reader.GetInt64(8), reader.GetInt64(9), reader.GetDouble(10),
                CircuitRank.Name(reader.GetInt32(11))));
        }
        return points;
    }

    /// <summary>Every route's requests, errors and bucket counts over the range, added up over seconds and nodes in the database.</summary>
    public async Task<IReadOnlyList<RouteTotals>> RoutesAsync(DateTimeOffset from, DateTimeOffset to, int resolution, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"""
            SELECT route, sum(requests)::bigint, sum(errors)::bigint, NULL::int, NULL::bigint FROM history_routes WHERE {Range} GROUP BY 1
            UNION ALL
            SELECT route, NULL, NULL, first_bucket + (o - 1)::int, sum(c)::bigint
            FROM history_routes, unnest(counts) WITH ORDINALITY AS u(c, o) WHERE {Range} GROUP BY 1, 4
            """, connection);
        AddRange(command, from, to, resolution);
        var routes = new Dictionary<string, (long Requests, long Errors, long[] Buckets)>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var name = reader.GetString(0);
            if (!routes.TryGetValue(name, out var route))
            {
                route = (0, 0, new long[LatencyBuckets.Count]);
            }
            if (!reader.IsDBNull(1))
            {
                route = (reader.GetInt64(1), reader.GetInt64(2), route.Buckets);
            }
            else
            {
                route.Buckets[Math.Clamp(reader.GetInt32(3), 0, LatencyBuckets.Count - 1)] += reader.GetInt64(4);
            }
            routes[name] = route;
        }
        return routes.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => new RouteTotals(r.Key, r.Value.Requests, r.Value.Errors, r.Value.Buckets)).ToList();
    }

    /// <summary>
    /// The fleet's pool over the range: utilization is the nodes' busy over their max, per second (per
    /// minute from rollups, whose busy is the minute's average); seconds in each band by
    /// <paramref name="yellowFromPercent"/> and <paramref name="redAbovePercent"/>.
    /// </summary>
    public async Task<PoolTotals> PoolAsync(DateTimeOffset from, DateTimeOffset to, int resolution, double yellowFromPercent, double redAbovePercent, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"""
            WITH fleet AS (
                SELECT at, CASE WHEN sum(max_size) > 0 THEN 100 * sum(busy) / sum(max_size) ELSE 0 END AS utilization,
                       max(acquire_p99ms) AS acquire, sum(timeouts) AS timeouts
                FROM history_samples WHERE {Range} GROUP BY at)
            SELECT coalesce(max(utilization), 0)::float8,
                   (count(*) FILTER (WHERE utilization < @yellow) * @resolution)::bigint,
                   (count(*) FILTER (WHERE utilization >= @yellow AND utilization <= @red) * @resolution)::bigint,
                   (count(*) FILTER (WHERE utilization > @red) * @resolution)::bigint,
                   coalesce(max(acquire), 0)::float8, coalesce(sum(timeouts), 0)::bigint
            FROM fleet
            """, connection);
        AddRange(command, from, to, resolution);
        command.Parameters.AddWithValue("yellow", yellowFromPercent);
        command.Parameters.AddWithValue("red", redAbovePercent);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new PoolTotals(Math.Round(reader.GetDouble(0), 2), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), Math.Round(reader.GetDouble(4), 3), reader.GetInt64(5));
    }

    /// <summary>
    /// Runs of samples in which the circuit was not closed, the spool not empty, requests were shed or
    /// leases leaked, per node; and a node whose samples stop for <see cref="LostAfter"/> or more (to the
    /// range's end when it never came back and did not stop on purpose).
    /// </summary>
    public async Task<IReadOnlyList<HistoryIncident>> IncidentsAsync(DateTimeOffset from, DateTimeOffset to, int resolution, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"""
            WITH flagged AS (
                SELECT s.node, s.at, k.kind, k.amount,
                       lag(s.at) OVER (PARTITION BY s.node, k.kind ORDER BY s.at) AS previous
                FROM history_samples s
                CROSS JOIN LATERAL (VALUES
                    ('circuit-open', CASE WHEN s.circuit <> 'closed' THEN {CircuitRank.Sql} END),
                    ('spool-not-empty', CASE WHEN s.spool_depth > 0 THEN s.spool_depth END),
                    ('shedding', CASE WHEN s.shed > 0 THEN s.shed END),
                    ('leaks', CASE WHEN s.leaks > 0 THEN s.leaks END)) AS k(kind, amount)
                WHERE {Range} AND k.amount IS NOT NULL),
            runs AS (
                SELECT *, count(*) FILTER (WHERE previous IS NULL OR at - previous > make_interval(secs => 2 * @resolution))
                           OVER (PARTITION BY node, kind ORDER BY at) AS run
                FROM flagged)
            SELECT kind, node, min(at), max(at) + make_interval(secs => @resolution), max(amount)::float8, sum(amount)::float8
            FROM runs GROUP BY kind, node, run
            UNION ALL
            SELECT 'node-lost', node, at, next, extract(epoch FROM next - at)::float8, 0
            FROM (SELECT node, at, lead(at) OVER (PARTITION BY node ORDER BY at) AS next FROM history_samples WHERE {Range}) g
            WHERE next - at > @lost
            UNION ALL
            SELECT 'node-lost', s.node, max(s.at), NULL, 0, 0
            FROM history_samples s LEFT JOIN fleet_nodes f ON f.name = s.node
            WHERE {Range} AND f.stopped_at IS NULL
            GROUP BY s.node HAVING max(s.at) < least(@to, now()) - @lost
            ORDER BY 3, 1, 2
            """, connection);
        AddRange(command, from, to, resolution);
        command.Parameters.AddWithValue("lost", LostAfter);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var incidents = new List<HistoryIncident>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var kind = reader.GetString(0);
            DateTimeOffset? end = reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3);
            incidents.Add(new HistoryIncident(kind, reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2), end, Detail(kind, reader.GetDouble(4), reader.GetDouble(5))));
        }
        return incidents;
    }

    private static string Detail(string kind, double max, double sum) => kind switch
    {
        "circuit-open" => $"worst state {CircuitRank.Name((int)max)}",
        "spool-not-empty" => $"deepest {max:0} queued",
        "shedding" => $"{sum:0} requests shed",
        "leaks" => $"at most {max:0} leases past the leak threshold",
        _ => max > 0 ? $"no samples for {max:0} s" : "no samples since; the node did not stop on purpose",
    };

    private static void AddRange(NpgsqlCommand command, DateTimeOffset from, DateTimeOffset to, int resolution)
    {
        command.Parameters.AddWithValue("from", from);
        command.Parameters.AddWithValue("to", to);
        command.Parameters.AddWithValue("resolution", resolution);
    }
}
