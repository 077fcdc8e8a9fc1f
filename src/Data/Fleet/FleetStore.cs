using System.Text.Json;
using ExamConsole.Data.Telemetry;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace ExamConsole.Data.Fleet;

/// <summary>What a heartbeat learns in the same round trip: how many nodes are alive and the desired state's version.</summary>
public sealed record HeartbeatResult(bool Registered, int LiveNodes, long SettingsVersion);

/// <summary>
/// Every statement of the fleet: the node registry, the versioned desired state and the
/// acknowledgements. It runs on the operators' own small pool (<see cref="TelemetryDataSource"/>),
/// so that heartbeats and changes still get through when the request pool is exhausted, and it
/// reads every time from the database's clock, so that nodes never compare their own clocks.
/// </summary>
public sealed class FleetStore(TelemetryDataSource database, IOptions<FleetOptions> options)
{
    /// <summary>Announces a new version of the desired state; the payload is the version.</summary>
    public const string SettingsChannel = "examconsole_settings";

    /// <summary>Announces that a node joined or left; the payload is the node's name.</summary>
    public const string MembersChannel = "examconsole_fleet";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private const string LiveCondition = "stopped_at IS NULL AND last_seen_at > now() - @alive";

    private FleetOptions Options => options.Value;

    /// <summary>Registers this node (or takes its row back after a restart) and announces it; returns its id.</summary>
    public async Task<Guid> RegisterAsync(string name, string url, string version, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO fleet_nodes (node_id, name, url, version, started_at, last_seen_at, stopped_at, settings_version, figures)
            VALUES (gen_random_uuid(), @name, @url, @version, now(), now(), NULL, 0, NULL)
            ON CONFLICT (name) DO UPDATE SET url = excluded.url, version = excluded.version, started_at = now(),
                last_seen_at = now(), stopped_at = NULL, settings_version = 0
            RETURNING node_id, pg_notify(@channel, @name)
            """, connection);
        command.Parameters.AddWithValue("name", name);
        command.Parameters.AddWithValue("url", url);
        command.Parameters.AddWithValue("version", version);
        command.Parameters.AddWithValue("channel", MembersChannel);
        return (Guid)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Reports the node's figures and the version it runs; forgets nodes silent for <see cref="FleetOptions.ForgetAfter"/>.</summary>
    public async Task<HeartbeatResult> HeartbeatAsync(Guid nodeId, long appliedVersion, string url, NodeFigures figures, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new("UPDATE fleet_nodes SET last_seen_at = now(), stopped_at = NULL, url = @url, settings_version = @applied, figures = @figures WHERE node_id = @id RETURNING node_id"),
                new($"SELECT count(*)::int FROM fleet_nodes WHERE {LiveCondition}"),
                new($"SELECT version FROM fleet_settings WHERE id = {FleetSettingsRow.SingletonId}"),
                new("DELETE FROM fleet_nodes WHERE last_seen_at < now() - @forget"),
            },
        };
        var update = batch.BatchCommands[0].Parameters;
        update.AddWithValue("applied", appliedVersion);
        update.AddWithValue("url", url);
        update.Add(new NpgsqlParameter("figures", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(figures, Json) });
        update.AddWithValue("id", nodeId);
        batch.BatchCommands[1].Parameters.AddWithValue("alive", Options.AliveWindow);
        batch.BatchCommands[3].Parameters.AddWithValue("forget", Options.ForgetAfter);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var registered = await reader.ReadAsync(cancellationToken);
        await reader.NextResultAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var live = reader.GetInt32(0);
        await reader.NextResultAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var version = reader.GetInt64(0);
        return new HeartbeatResult(registered, live, version);
    }

    /// <summary>Marks the node stopped (not alive from now on) and announces it.</summary>
    public async Task LeaveAsync(Guid nodeId, string name, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("UPDATE fleet_nodes SET stopped_at = now() WHERE node_id = @id; SELECT pg_notify(@channel, @name)", connection);
        command.Parameters.AddWithValue("id", nodeId);
        command.Parameters.AddWithValue("channel", MembersChannel);
        command.Parameters.AddWithValue("name", name);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>How many nodes are alive now.</summary>
    public async Task<int> LiveNodesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"SELECT count(*)::int FROM fleet_nodes WHERE {LiveCondition}", connection);
        command.Parameters.AddWithValue("alive", Options.AliveWindow);
        return (int)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Every node known, alive or not, by name.</summary>
    public async Task<IReadOnlyList<FleetNode>> NodesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"""
            SELECT node_id, name, url, version, {LiveCondition}, started_at, last_seen_at, stopped_at,
                   extract(epoch FROM now() - last_seen_at)::float8, settings_version, figures
            FROM fleet_nodes ORDER BY name
            """, connection);
        command.Parameters.AddWithValue("alive", Options.AliveWindow);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var nodes = new List<FleetNode>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var figures = reader.IsDBNull(10) ? NodeFigures.Empty : JsonSerializer.Deserialize<NodeFigures>(reader.GetString(10), Json) ?? NodeFigures.Empty;
            nodes.Add(new FleetNode(
                reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetBoolean(4),
                reader.GetFieldValue<DateTimeOffset>(5), reader.GetFieldValue<DateTimeOffset>(6),
                reader.IsDBNull(7) ? null : reader.GetFieldValue<DateTimeOffset>(7),
                Math.Round(reader.GetDouble(8), 1), reader.GetInt64(9), figures));
        }
        return nodes;
    }

    /// <summary>The desired state in force.</summary>
    public async Task<FleetSettingsVersion> SettingsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"SELECT version, settings, changed_at, changed_by FROM fleet_settings WHERE id = {FleetSettingsRow.SingletonId}", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : FleetSettingsVersion.Initial;
    }

    /// <summary>
    /// Writes the next version of the desired state: <paramref name="change"/> gets the current
    /// settings and the new version number, under a row lock, so that two operators' changes are
    /// applied one after the other and neither is lost. The announcement goes out at commit.
    /// </summary>
    public async Task<FleetSettingsVersion> ChangeAsync(string actor, Func<FleetSettings, long, FleetSettings> change, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        FleetSettingsVersion current;
        await using (var read = new NpgsqlCommand(
            $"SELECT version, settings, changed_at, changed_by FROM fleet_settings WHERE id = {FleetSettingsRow.SingletonId} FOR UPDATE", connection, transaction))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            current = await reader.ReadAsync(cancellationToken) ? Read(reader)
                : throw new InvalidOperationException("The fleet_settings row is missing: the database's migrations were not applied.");
        }
        var version = current.Version + 1;
        var settings = change(current.Settings, version);
        await using var write = new NpgsqlCommand(
            $"""
            UPDATE fleet_settings SET version = @version, settings = @settings, changed_at = now(), changed_by = @actor
            WHERE id = {FleetSettingsRow.SingletonId} RETURNING changed_at, pg_notify(@channel, @version::text)
            """, connection, transaction);
        write.Parameters.AddWithValue("version", version);
        write.Parameters.Add(new NpgsqlParameter("settings", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(settings, Json) });
        write.Parameters.AddWithValue("actor", actor);
        write.Parameters.AddWithValue("channel", SettingsChannel);
        var changedAt = new DateTimeOffset(DateTime.SpecifyKind((DateTime)(await write.ExecuteScalarAsync(cancellationToken))!, DateTimeKind.Utc));
        await transaction.CommitAsync(cancellationToken);
        return new FleetSettingsVersion(version, settings, changedAt, actor);
    }

    /// <summary>Records that this node put versions <paramref name="from"/> to <paramref name="version"/> in force, at the database's clock.</summary>
    public async Task AcknowledgeAsync(Guid nodeId, string nodeName, long from, long version, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO fleet_settings_applied (version, node_id, node_name, applied_at)
            SELECT v, @id, @name, clock_timestamp() FROM generate_series(@from, @version) AS v
            ON CONFLICT DO NOTHING;
            UPDATE fleet_nodes SET settings_version = greatest(settings_version, @version) WHERE node_id = @id
            """, connection);
        command.Parameters.AddWithValue("from", from);
        command.Parameters.AddWithValue("version", version);
        command.Parameters.AddWithValue("id", nodeId);
        command.Parameters.AddWithValue("name", nodeName);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>When each node applied each of <paramref name="versions"/>, first applied first.</summary>
    public async Task<IReadOnlyList<SettingsAcknowledgement>> AcknowledgementsAsync(IReadOnlyCollection<long> versions, CancellationToken cancellationToken)
    {
        if (versions.Count == 0)
        {
            return [];
        }
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT version, node_id, node_name, applied_at FROM fleet_settings_applied WHERE version = ANY(@versions) ORDER BY version, applied_at", connection);
        command.Parameters.AddWithValue("versions", versions.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var acknowledgements = new List<SettingsAcknowledgement>();
        while (await reader.ReadAsync(cancellationToken))
        {
            acknowledgements.Add(new SettingsAcknowledgement(reader.GetInt64(0), reader.GetGuid(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3)));
        }
        return acknowledgements;
    }

    private static FleetSettingsVersion Read(NpgsqlDataReader reader) => new(
        reader.GetInt64(0),
        JsonSerializer.Deserialize<FleetSettings>(reader.GetString(1), Json) ?? FleetSettings.None,
        reader.GetFieldValue<DateTimeOffset>(2),
        reader.GetString(3));
}
