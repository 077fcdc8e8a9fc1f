using System.Globalization;
using Npgsql;

namespace ExamConsole.Data.Bouncer;

/// <summary>PgBouncer's own figures for the node's database (its transaction-mode pool), from SHOW POOLS, SHOW STATS and SHOW CONFIG.</summary>
public sealed record BouncerFigures(
    DateTimeOffset At,
    string Database,
    string PoolMode,
    int ClientActive,
    int ClientWaiting,
    int ServerActive,
    int ServerIdle,
    double MaxWaitMs,
    double TransactionsPerSecond,
    double AverageWaitMs,
    BouncerLimits Limits);

/// <summary>
/// The limits of SHOW CONFIG the readiness checklist compares with the fleet's; <see cref="ServerBackends"/>
/// is what PgBouncer may open to PostgreSQL for the node's two databases (SHOW DATABASES: pool_size +
/// reserve_pool of the transaction-mode and the session-mode one).
/// </summary>
public sealed record BouncerLimits(
    int MaxClientConnections,
    int DefaultPoolSize,
    int ReservePoolSize,
    int MaxDbConnections,
    int ServerLifetimeSeconds,
    int QueryWaitTimeoutSeconds,
    string PoolMode,
    int ServerBackends);

/// <summary>Reads <see cref="BouncerFigures"/> through the admin console; nothing when the node connects directly.</summary>
public sealed class BouncerReader(DatabaseRoute route)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public bool InPath => route.ThroughBouncer;

    /// <summary>PgBouncer's database name the node's pool uses (the main connection string's).</summary>
    public string Database { get; } = new NpgsqlConnectionStringBuilder(route.MainConnectionString).Database ?? "";

    private readonly string _sessionDatabase = new NpgsqlConnectionStringBuilder(route.SessionConnectionString).Database ?? "";

    /// <summary>The figures now; null when direct. Throws when PgBouncer does not answer within 3 s.</summary>
    public async Task<BouncerFigures?> ReadAsync(CancellationToken cancellationToken)
    {
        if (route.BouncerAdminConnectionString is not { } admin)
        {
            return null;
        }
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(Timeout);
        await using var console = await BouncerConsole.ConnectAsync(admin, bounded.Token);
        var pools = (await console.QueryAsync("SHOW POOLS", bounded.Token)).Where(r => r.GetValueOrDefault("database") == Database).ToList();
        var stats = (await console.QueryAsync("SHOW STATS", bounded.Token)).FirstOrDefault(r => r.GetValueOrDefault("database") == Database);
        var config = (await console.QueryAsync("SHOW CONFIG", bounded.Token))
            .Where(r => r.GetValueOrDefault("key") is not null)
            .ToDictionary(r => r["key"]!, r => r.GetValueOrDefault("value"), StringComparer.Ordinal);
        var databases = (await console.QueryAsync("SHOW DATABASES", bounded.Token))
            .Where(r => r.GetValueOrDefault("name") is { } n && (n == Database || n == _sessionDatabase))
            .ToList();
        var limits = new BouncerLimits(
            Int(config, "max_client_conn"),
            Int(config, "default_pool_size"),
            Int(config, "reserve_pool_size"),
            Int(config, "max_db_connections"),
            Int(config, "server_lifetime"),
            Int(config, "query_wait_timeout"),
            config.GetValueOrDefault("pool_mode") ?? "",
            databases.Sum(d => Int(d, "pool_size") + Int(d, "reserve_pool")));
        return new BouncerFigures(
            DateTimeOffset.UtcNow,
            Database,
            pools.Select(p => p.GetValueOrDefault("pool_mode")).FirstOrDefault(m => !string.IsNullOrEmpty(m)) ?? limits.PoolMode,
            pools.Sum(p => Int(p, "cl_active")),
            pools.Sum(p => Int(p, "cl_waiting")),
            pools.Sum(p => Int(p, "sv_active")),
            pools.Sum(p => Int(p, "sv_idle")),
            pools.Select(p => Long(p, "maxwait") * 1000.0 + Long(p, "maxwait_us") / 1000.0).DefaultIfEmpty(0).Max(),
            stats is null ? 0 : Long(stats, "avg_xact_count"),
            stats is null ? 0 : Long(stats, "avg_wait_time") / 1000.0,
            limits);
    }

    /// <summary>Asks PgBouncer to replace the backends of the node's database once they are released (RECONNECT), so that a changed role setting reaches all of them.</summary>
    public async Task ReconnectAsync(CancellationToken cancellationToken)
    {
        if (route.BouncerAdminConnectionString is not { } admin)
        {
            return;
        }
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(Timeout);
        await using var console = await BouncerConsole.ConnectAsync(admin, bounded.Token);
        await console.QueryAsync($"RECONNECT {Database}", bounded.Token);
    }

    private static int Int(IReadOnlyDictionary<string, string?> row, string key) => (int)Math.Min(int.MaxValue, Long(row, key));

    private static long Long(IReadOnlyDictionary<string, string?> row, string key) =>
        long.TryParse(row.GetValueOrDefault(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : 0;
}
