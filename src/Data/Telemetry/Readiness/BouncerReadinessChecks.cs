using System.Globalization;
using ExamConsole.Data.Bouncer;
using ExamConsole.Data.Pool;

namespace ExamConsole.Data.Telemetry.Readiness;

/// <summary>The checklist's lines for PgBouncer in the path: its limits against the fleet's and the server's. No I/O here.</summary>
public static class BouncerReadinessChecks
{
    public const string Clients = "pgbouncer_max_client_conn";
    public const string PoolMode = "pgbouncer_pool_mode";
    public const string ServerLifetime = "pgbouncer_server_lifetime";

    public static readonly IReadOnlyList<string> All = [Clients, PoolMode, ServerLifetime];

    /// <summary>Every node's pool, telemetry pool and LISTEN connection are PgBouncer's clients: max_client_conn must cover them all.</summary>
    public static ReadinessCheck MaxClients(BouncerLimits limits, int fleetBudget, int liveNodes, int perNodeBesidesPool)
    {
        var need = fleetBudget + Math.Max(1, liveNodes) * perNodeBesidesPool;
        var ok = limits.MaxClientConnections >= need;
        return new ReadinessCheck(
            Clients,
            ok,
            Invariant($"{limits.MaxClientConnections}"),
            Invariant($">= {need} (the fleet's pool budget {fleetBudget} + {perNodeBesidesPool} per node for its telemetry pool and LISTEN, {Math.Max(1, liveNodes)} node(s))"),
            ok ? null : Invariant($"Set max_client_conn = {need} in pgbouncer.ini and give PgBouncer as many open files (LimitNOFILE), then restart it; beyond it PgBouncer refuses the pools' connections."));
    }

    /// <summary>max_connections behind PgBouncer: its backends for the node's databases plus the reserve, not the pool's client connections.</summary>
    public static ReadinessCheck MaxConnections(int serverMaxConnections, BouncerLimits limits, PoolSettings pool)
    {
        var need = limits.ServerBackends + pool.ServerReserve;
        var ok = serverMaxConnections >= need;
        return new ReadinessCheck(
            ReadinessCheckNames.MaxConnections,
            ok,
            Invariant($"{serverMaxConnections}"),
            Invariant($">= {need} (PgBouncer's pool_size + reserve_pool of the node's databases, {limits.ServerBackends}, + Pool:ServerReserve {pool.ServerReserve})"),
            ok ? null
                : Invariant($"Set max_connections = {need} (ALTER SYSTEM SET max_connections = {need};) and restart PostgreSQL, or lower default_pool_size/reserve_pool_size in pgbouncer.ini to fit {serverMaxConnections - pool.ServerReserve}."));
    }

    public static ReadinessCheck Mode(BouncerLimits limits, string poolMode)
    {
        var ok = poolMode == "transaction";
        return new ReadinessCheck(
            PoolMode,
            ok,
            poolMode,
            "transaction",
            ok ? null : "Set pool_mode = transaction for the node's database in pgbouncer.ini: in session mode each of the pool's connections holds a backend, which is what PgBouncer is there to avoid.");
    }

    /// <summary>Pool:MaxUses replaces the node's connections to PgBouncer; its backends are replaced by PgBouncer's server_lifetime.</summary>
    public static ReadinessCheck Lifetime(BouncerLimits limits, PoolSettings pool)
    {
        var ok = limits.ServerLifetimeSeconds is > 0 and <= 3600;
        return new ReadinessCheck(
            ServerLifetime,
            ok,
            Invariant($"{limits.ServerLifetimeSeconds} s"),
            Invariant($"1 to 3600 s: behind PgBouncer, Pool:MaxUses ({pool.MaxUses}) recycles the node's connections to PgBouncer, and server_lifetime recycles the backends"),
            ok ? null : "Set server_lifetime = 3600 (or less) in pgbouncer.ini, so that a backend's memory growth is bounded as Pool:MaxUses bounds it when direct.");
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
