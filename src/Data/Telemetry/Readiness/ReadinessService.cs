using System.Globalization;
using ExamConsole.Data.Bouncer;
using ExamConsole.Data.Fleet;
using ExamConsole.Data.Pool;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ExamConsole.Data.Telemetry.Readiness;

/// <summary>
/// Evaluates the deployment document's pre-deployment checklist live: max_connections from a fresh
/// sample of the one server sampler, the other server settings through the telemetry pool, the statement_timeout on a connection of the main pool, this
/// process's limits and this machine from /proc, and the metrics endpoint over HTTP. With PgBouncer in
/// the path, PostgreSQL's connections are PgBouncer's backends: max_connections and memory are checked
/// against those, and PgBouncer's own limits against the fleet's (<see cref="BouncerReadinessChecks"/>).
/// </summary>
public sealed class ReadinessService(
    TelemetryDataSource telemetry,
    ExamDataSource pool,
    IServerSampler sampler,
    IMetricsEndpointProbe metrics,
    IOptions<ReadinessOptions> options,
    ILogger<ReadinessService> logger,
    BouncerReader? bouncer = null,
    IFleetBudget? fleet = null)
{
    private static readonly string[] MemorySettings =
        [ReadinessCheckNames.SharedBuffers, ReadinessCheckNames.EffectiveCacheSize, ReadinessCheckNames.WorkMem, ReadinessCheckNames.MaintenanceWorkMem];

    private sealed record ServerFacts(int MaxConnections, IReadOnlyDictionary<string, ServerSetting> Settings);

    private sealed record MainPoolFacts(long StatementTimeoutMs, BackendCost? PerBackend);

    /// <summary>Every check of <see cref="ReadinessCheckNames.All"/>, in that order; a fact that cannot be read makes its check fail, never the evaluation.</summary>
    public async Task<IReadOnlyList<ReadinessCheck>> EvaluateAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var settings = pool.Settings;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(o.CheckTimeout);

        var metricsCheck = metrics.CheckAsync(cancellationToken);
        var mainPoolRead = ReadMainPoolAsync(timeout.Token);
        var bouncerRead = bouncer is { InPath: true } ? bouncer.ReadAsync(timeout.Token) : Task.FromResult<BouncerFigures?>(null);
        ServerFacts? server = null;
        var unreadable = "";
        try
        {
            server = await ReadServerFactsAsync(timeout.Token);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && IsDatabaseFailure(e))
        {
            TelemetryLog.CheckFailed(logger, "server settings", e.GetType().Name, e.Message);
            unreadable = Describe(e);
        }
        MainPoolFacts? mainPool = null;
        var noMainPool = "";
        try
        {
            mainPool = await mainPoolRead;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && IsDatabaseFailure(e))
        {
            TelemetryLog.CheckFailed(logger, "main pool", e.GetType().Name, e.Message);
            noMainPool = "no connection of the main pool: " + Describe(e);
        }

        BouncerFigures? figures = null;
        var noBouncer = "";
        try
        {
            figures = await bouncerRead;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && BouncerConsole.IsUnavailable(e))
        {
            TelemetryLog.CheckFailed(logger, "PgBouncer", e.GetType().Name, e.Message);
            noBouncer = "PgBouncer's admin console did not answer: " + e.GetType().Name;
        }
        var limits = figures?.Limits;
        var throughBouncer = bouncer is { InPath: true };
        const string askBouncer = "Check that PgBouncer runs and that the node's user is in its admin_users or stats_users (SHOW POOLS, SHOW CONFIG, SHOW DATABASES).";
        const string askServer = "Check that the database answers (GET /health/ready) and that the telemetry pool's role may read pg_settings.";
        const string askPool = "The main pool gave no connection in time: see GET /api/admin/pool for exhaustion and GET /api/admin/server for long-running queries.";
        var checks = new List<ReadinessCheck>
        {
            server is null
                ? ReadinessChecks.Unreadable(ReadinessCheckNames.MaxConnections, $">= {settings.MaxSize + settings.ServerReserve}", unreadable, askServer)
                : !throughBouncer ? ReadinessChecks.MaxConnections(server.MaxConnections, settings)
                : limits is null ? ReadinessChecks.Unreadable(ReadinessCheckNames.MaxConnections, "PgBouncer's backends + Pool:ServerReserve", noBouncer, askBouncer)
                : BouncerReadinessChecks.MaxConnections(server.MaxConnections, limits, settings),
            ReadinessChecks.OpenFiles(MachineFacts.OpenFilesSoftLimit(MachineFacts.TryRead("/proc/self/limits")), settings, o),
            server is null || mainPool is null
                ? ReadinessChecks.Unreadable(ReadinessCheckNames.Memory, $">= {o.MinMemory}", server is null ? unreadable : noMainPool, server is null ? askServer : askPool)
                : ReadinessChecks.Memory(
                    MachineFacts.MemTotalBytes(MachineFacts.TryRead("/proc/meminfo")),
                    mainPool.PerBackend,
                    server.Settings.GetValueOrDefault(ReadinessCheckNames.SharedBuffers)?.Bytes ?? 0,
                    settings,
                    o,
                    limits?.ServerBackends),
            ReadinessChecks.CpuCores(Environment.ProcessorCount, o),
        };
        foreach (var (name, expected, exactly) in new[]
        {
            (ReadinessCheckNames.SharedBuffers, o.MinSharedBuffers, false),
            (ReadinessCheckNames.EffectiveCacheSize, o.MinEffectiveCacheSize, false),
            (ReadinessCheckNames.WorkMem, o.WorkMem, true),
            (ReadinessCheckNames.MaintenanceWorkMem, o.MinMaintenanceWorkMem, false),
        })
        {
            checks.Add(server is null
                ? ReadinessChecks.Unreadable(name, (exactly ? "= " : ">= ") + expected, unreadable, askServer)
                : ReadinessChecks.Setting(name, server.Settings.GetValueOrDefault(name), expected, exactly));
        }
        checks.Add(mainPool is null
            ? ReadinessChecks.Unreadable(
                ReadinessCheckNames.StatementTimeout,
                string.Create(CultureInfo.InvariantCulture, $"{(long)settings.StatementTimeout.TotalMilliseconds} ms (Pool:StatementTimeout)"),
                noMainPool,
                askPool)
            : ReadinessChecks.StatementTimeout(mainPool.StatementTimeoutMs, settings, throughBouncer));
        checks.Add(await metricsCheck);
        if (throughBouncer)
        {
            if (figures is null)
            {
                checks.AddRange(BouncerReadinessChecks.All.Select(name => ReadinessChecks.Unreadable(name, "read from PgBouncer's admin console", noBouncer, askBouncer)));
            }
            else
            {
                checks.Add(BouncerReadinessChecks.MaxClients(figures.Limits, fleet?.FleetMaxSize ?? settings.MaxSize, fleet?.LiveNodes ?? 1, TelemetryDataSource.MaxConnections + 1));
                checks.Add(BouncerReadinessChecks.Mode(figures.Limits, figures.PoolMode));
                checks.Add(BouncerReadinessChecks.Lifetime(figures.Limits, settings));
            }
        }
        return checks;
    }

    private async Task<ServerFacts> ReadServerFactsAsync(CancellationToken cancellationToken)
    {
        var maxConnections = (await sampler.SampleAsync(cancellationToken)).MaxConnections;
        await using var connection = await telemetry.OpenConnectionAsync(cancellationToken);

        var settings = new Dictionary<string, ServerSetting>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand(
            "SELECT name, setting, unit, context, current_setting(name) FROM pg_settings WHERE name = ANY(@names)", connection))
        {
            command.Parameters.AddWithValue("names", MemorySettings);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var name = reader.GetString(0);
                var bytes = long.Parse(reader.GetString(1), CultureInfo.InvariantCulture) * PgSize.UnitBytes(reader.IsDBNull(2) ? null : reader.GetString(2));
                settings[name] = new ServerSetting(name, bytes, reader.GetString(4), reader.GetString(3) == "postmaster");
            }
        }
        return new ServerFacts(maxConnections, settings);
    }

    // One idle connection of the main pool tells both what the pool's statement_timeout is and what one of its backends costs.
    private async Task<MainPoolFacts> ReadMainPoolAsync(CancellationToken cancellationToken)
    {
        await using var connection = await pool.Current.DataSource.OpenConnectionAsync(cancellationToken);
        long statementTimeout;
        int pid;
        bool local;
        await using (var command = new NpgsqlCommand(
            "SELECT setting::bigint, pg_backend_pid(), inet_server_addr() IS NULL OR host(inet_server_addr()) IN ('127.0.0.1', '::1') FROM pg_settings WHERE name = 'statement_timeout'",
            connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            (statementTimeout, pid, local) = (reader.GetInt64(0), reader.GetInt32(1), reader.GetBoolean(2));
        }
        return new MainPoolFacts(statementTimeout, await MeasureBackendAsync(connection, pid, local, cancellationToken));
    }

    private static async Task<BackendCost?> MeasureBackendAsync(NpgsqlConnection connection, int pid, bool local, CancellationToken cancellationToken)
    {
        long? contexts = null;
        await using (var command = new NpgsqlCommand("SELECT sum(total_bytes)::bigint FROM pg_backend_memory_contexts", connection))
        {
            try
            {
                contexts = await command.ExecuteScalarAsync(cancellationToken) as long?;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
            {
                // Only superusers may read it on PostgreSQL 15; Pss may still be there.
            }
        }
        // Read while the backend is idle between commands. A pid is only this backend's when the server runs here.
        var rollup = local && MachineFacts.TryRead($"/proc/{pid}/comm")?.Trim() == "postgres"
            ? MachineFacts.TryRead($"/proc/{pid}/smaps_rollup")
            : null;
        var contextsText = contexts is { } c ? $"summed total_bytes of pg_backend_memory_contexts {PgSize.Format(c)}" : null;
        if (MachineFacts.PssBytes(rollup) is { } pss)
        {
            // Its share of the shared segment is counted once, as shared_buffers: per backend is the rest of its Pss.
            var shmem = MachineFacts.PssShmemBytes(rollup) ?? 0;
            return new BackendCost(
                pss - shmem,
                $"measured as the Pss of idle backend {pid} of the main pool, {PgSize.Format(pss)}, less its Pss_Shmem {PgSize.Format(shmem)} (/proc/{pid}/smaps_rollup)"
                    + (contextsText is null ? "" : $"; its {contextsText}"));
        }
        return contexts is { } bytes
            ? new BackendCost(bytes, $"measured as the {contextsText} of idle backend {pid} of the main pool (its Pss is not readable from here)")
            : null;
    }

    private static bool IsDatabaseFailure(Exception e) =>
        e is NpgsqlException or TimeoutException or OperationCanceledException or InvalidOperationException { InnerException: TimeoutException };

    // Type and SQLSTATE only: a driver message may carry the host or the connection string.
    private string Describe(Exception e) => e switch
    {
        OperationCanceledException => $"the database did not answer within {options.Value.CheckTimeout.TotalSeconds:0.#} s",
        PostgresException pg => $"the server refused ({pg.SqlState})",
        _ => $"the database could not be reached ({e.GetType().Name})",
    };
}
