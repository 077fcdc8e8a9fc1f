using ExamConsole.Data.Telemetry;
using Npgsql;
using NpgsqlTypes;

namespace ExamConsole.Data.History;

/// <summary>
/// Writes the nodes' samples, rolls finished minutes up and deletes what expired. It runs on the
/// operators' small pool (<see cref="TelemetryDataSource"/>), never on the request pool. A batch is
/// one statement per table built from arrays, and a row already there is left as it is, so a batch
/// retried after a commit whose answer was lost does not fail for ever.
/// </summary>
public sealed class HistoryStore(TelemetryDataSource database)
{
    public const int Raw = 1;
    public const int Rollup = 60;

    private const string SampleColumns = "node, at, resolution, open, busy, idle, pending, max_size, acquire_p99ms, requests, errors, shed, timeouts, spool_depth, leaks, circuit";

    /// <summary>Writes one-second samples in one transaction.</summary>
    public async Task WriteAsync(IReadOnlyList<NodeSample> samples, IReadOnlyList<RouteSample> routes, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await InsertSamplesAsync(connection, transaction, samples, cancellationToken);
        await InsertRoutesAsync(connection, transaction, routes, Raw, "DO NOTHING", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Rolls the minutes in [<paramref name="from"/>, <paramref name="to"/>) up from their seconds, for
    /// every node; a minute rolled again (seconds that came late, after an outage) is replaced. One node
    /// at a time: the others skip while one holds the lock.
    /// </summary>
    public async Task<bool> RollUpAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_try_advisory_xact_lock(hashtext('examconsole_history_rollup'))", connection, transaction))
        {
            if (!(bool)(await lockCommand.ExecuteScalarAsync(cancellationToken))!)
            {
                return false;
            }
        }
        await using (var samples = new NpgsqlCommand(
            $"""
            INSERT INTO history_samples ({SampleColumns})
            SELECT node, date_trunc('minute', at), {Rollup}, avg(open), avg(busy), avg(idle), avg(pending), avg(max_size), max(acquire_p99ms),
                   sum(requests), sum(errors), sum(shed), sum(timeouts), max(spool_depth), max(leaks),
                   (ARRAY['closed', 'half_open', 'open', 'isolated'])[max({CircuitRank.Sql}) + 1]
            FROM history_samples WHERE resolution = {Raw} AND at >= @from AND at < @to
            GROUP BY node, date_trunc('minute', at)
            ON CONFLICT (node, resolution, at) DO UPDATE SET open = excluded.open, busy = excluded.busy, idle = excluded.idle,
                pending = excluded.pending, max_size = excluded.max_size, acquire_p99ms = excluded.acquire_p99ms, requests = excluded.requests,
                errors = excluded.errors, shed = excluded.shed, timeouts = excluded.timeouts, spool_depth = excluded.spool_depth,
                leaks = excluded.leaks, circuit = excluded.circuit
            """, connection, transaction))
        {
            samples.Parameters.AddWithValue("from", from);
            samples.Parameters.AddWithValue("to", to);
            await samples.ExecuteNonQueryAsync(cancellationToken);
        }
        var routes = await MergedRoutesAsync(connection, transaction, from, to, cancellationToken);
        await InsertRoutesAsync(connection, transaction, routes, Rollup,
            "DO UPDATE SET requests = excluded.requests, errors = excluded.errors, first_bucket = excluded.first_bucket, counts = excluded.counts", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Deletes seconds older than <paramref name="raw"/> and minutes older than <paramref name="rollup"/>, by the database's clock.</summary>
    public async Task DeleteExpiredAsync(TimeSpan raw, TimeSpan rollup, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"""
            DELETE FROM history_samples WHERE resolution = {Raw} AND at < now() - @raw;
            DELETE FROM history_routes WHERE resolution = {Raw} AND at < now() - @raw;
            DELETE FROM history_samples WHERE resolution = {Rollup} AND at < now() - @rollup;
            DELETE FROM history_routes WHERE resolution = {Rollup} AND at < now() - @rollup
            """, connection);
        command.Parameters.AddWithValue("raw", raw);
        command.Parameters.AddWithValue("rollup", rollup);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task InsertSamplesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<NodeSample> samples, CancellationToken cancellationToken)
    {
        if (samples.Count == 0)
        {
            return;
        }
        await using var command = new NpgsqlCommand(
            $"""
            INSERT INTO history_samples ({SampleColumns})
            SELECT node, at, {Raw}, open, busy, idle, pending, max_size, acquire_p99ms, requests, errors, shed, timeouts, spool_depth, leaks, circuit
            FROM unnest(@node, @at, @open, @busy, @idle, @pending, @max_size, @acquire, @requests, @errors, @shed, @timeouts, @spool, @leaks, @circuit)
                AS u(node, at, open, busy, idle, pending, max_size, acquire_p99ms, requests, errors, shed, timeouts, spool_depth, leaks, circuit)
            ON CONFLICT (node, resolution, at) DO NOTHING
            """, connection, transaction);
        var p = command.Parameters;
        p.AddWithValue("node", samples.Select(s => s.Node).ToArray());
        p.AddWithValue("at", samples.Select(s => s.At).ToArray());
        p.AddWithValue("open", samples.Select(s => s.Open).ToArray());
        p.AddWithValue("busy", samples.Select(s => s.Busy).ToArray());
        p.AddWithValue("idle", samples.Select(s => s.Idle).ToArray());
        p.AddWithValue("pending", samples.Select(s => s.Pending).ToArray());
        p.AddWithValue("max_size", samples.Select(s => s.MaxSize).ToArray());
        p.AddWithValue("acquire", samples.Select(s => s.AcquireP99Ms).ToArray());
        p.AddWithValue("requests", samples.Select(s => s.Requests).ToArray());
        p.AddWithValue("errors", samples.Select(s => s.Errors).ToArray());
        p.AddWithValue("shed", samples.Select(s => s.Shed).ToArray());
        p.AddWithValue("timeouts", samples.Select(s => s.Timeouts).ToArray());
        p.AddWithValue("spool", samples.Select(s => s.SpoolDepth).ToArray());
        p.AddWithValue("leaks", samples.Select(s => s.Leaks).ToArray());
        p.AddWithValue("circuit", samples.Select(s => s.Circuit).ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Every route's counts arrive as one flat array with each row's start and length, since PostgreSQL has no array of arrays of different lengths.</summary>
    private static async Task InsertRoutesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<RouteSample> routes, int resolution, string onConflict, CancellationToken cancellationToken)
    {
        if (routes.Count == 0)
        {
            return;
        }
        var starts = new int[routes.Count];
        var flat = new List<long>();
        for (var i = 0; i < routes.Count; i++)
        {
            starts[i] = flat.Count;
            flat.AddRange(routes[i].Counts);
        }
        await using var command = new NpgsqlCommand(
            $"""
            INSERT INTO history_routes (node, at, resolution, route, requests, errors, first_bucket, counts)
            SELECT node, at, {resolution}, route, requests, errors, first_bucket, (@flat::bigint[])[start + 1 : start + len]
            FROM unnest(@node, @at, @route, @requests, @errors, @first, @start, @len) AS u(node, at, route, requests, errors, first_bucket, start, len)
            ON CONFLICT (node, resolution, at, route) {onConflict}
            """, connection, transaction);
        var p = command.Parameters;
        p.AddWithValue("node", routes.Select(r => r.Node).ToArray());
        p.AddWithValue("at", routes.Select(r => r.At).ToArray());
        p.AddWithValue("route", routes.Select(r => r.Route).ToArray());
        p.AddWithValue("requests", routes.Select(r => r.Requests).ToArray());
        p.AddWithValue("errors", routes.Select(r => r.Errors).ToArray());
        p.AddWithValue("first", routes.Select(r => r.FirstBucket).ToArray());
        p.AddWithValue("start", starts);
        p.AddWithValue("len", routes.Select(r => r.Counts.Length).ToArray());
        p.Add(new NpgsqlParameter("flat", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = flat.ToArray() });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Each node's routes per minute, their bucket counts added up in the database.</summary>
    private static async Task<List<RouteSample>> MergedRoutesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var merged = new Dictionary<(string Node, DateTimeOffset At, string Route), (long Requests, long Errors, long[] Buckets)>();
        await using var command = new NpgsqlCommand(
            $"""
            SELECT node, date_trunc('minute', at), route, sum(requests)::bigint, sum(errors)::bigint, NULL::int, NULL::bigint
            FROM history_routes WHERE resolution = {Raw} AND at >= @from AND at < @to GROUP BY 1, 2, 3
            UNION ALL
            SELECT node, date_trunc('minute', at), route, NULL, NULL, first_bucket + (o - 1)::int, sum(c)::bigint
            FROM history_routes, unnest(counts) WITH ORDINALITY AS u(c, o)
            WHERE resolution = {Raw} AND at >= @from AND at < @to GROUP BY 1, 2, 3, 6
            """, connection, transaction);
        command.Parameters.AddWithValue("from", from);
        command.Parameters.AddWithValue("to", to);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var key = (reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2));
                if (!merged.TryGetValue(key, out var route))
                {
                    route = (0, 0, new long[LatencyBuckets.Count]);
                }
                if (!reader.IsDBNull(3))
                {
                    route = (reader.GetInt64(3), reader.GetInt64(4), route.Buckets);
                }
                else
                {
                    route.Buckets[Math.Clamp(reader.GetInt32(5), 0, LatencyBuckets.Count - 1)] += reader.GetInt64(6);
                }
                merged[key] = route;
            }
        }
        return merged.Select(pair =>
        {
            var (first, counts) = LatencyBuckets.Trim(pair.Value.Buckets);
            return new RouteSample(pair.Key.Node, pair.Key.At, pair.Key.Route, pair.Value.Requests, pair.Value.Errors, first, counts);
        }).ToList();
    }
}
