using System.Globalization;
using ExamConsole.Data.Pool;

namespace ExamConsole.Data.Telemetry.Readiness;

/// <summary>Turns the facts read from the server and the machine into checklist lines. No I/O here.</summary>
public static class ReadinessChecks
{
    public static ReadinessCheck MaxConnections(int serverMaxConnections, PoolSettings pool)
    {
        var need = pool.MaxSize + pool.ServerReserve;
        var fits = serverMaxConnections - pool.ServerReserve;
        return new ReadinessCheck(
            ReadinessCheckNames.MaxConnections,
            serverMaxConnections >= need,
            Invariant($"{serverMaxConnections}"),
            Invariant($">= {need} (Pool:MaxSize {pool.MaxSize} + Pool:ServerReserve {pool.ServerReserve})"),
            serverMaxConnections >= need ? null
                : Invariant($"Set max_connections = {need} in postgresql.conf (ALTER SYSTEM SET max_connections = {need};) and restart PostgreSQL") +
                  (fits >= 1 ? Invariant($", or lower Pool:MaxSize to {fits} at most.") : "."));
    }

    public static ReadinessCheck OpenFiles(long? softLimit, PoolSettings pool, ReadinessOptions options)
    {
        var need = (long)pool.MaxSize + options.FileDescriptorsBesidesPool;
        var expected = Invariant($">= {need} (one per pooled connection, {pool.MaxSize}, + {options.FileDescriptorsBesidesPool} for everything else)");
        var advice = Invariant(
            $"Raise the process's open-file soft limit to at least {need}: LimitNOFILE={need} in the service's systemd unit, `ulimit -n {need}` in the shell that starts it, or nofile in /etc/security/limits.conf.");
        return softLimit is not { } limit
            ? new ReadinessCheck(ReadinessCheckNames.OpenFiles, false, "unknown: /proc/self/limits could not be read", expected, advice)
            : new ReadinessCheck(ReadinessCheckNames.OpenFiles, limit >= need, limit == long.MaxValue ? "unlimited" : Invariant($"{limit} (soft limit)"), expected, limit >= need ? null : advice);
    }

    /// <summary>Memory for the document's minimum and for the backends: the pool's, or PgBouncer's (<paramref name="bouncerBackends"/>) when it is in the path.</summary>
    public static ReadinessCheck Memory(long? memTotal, BackendCost? perBackend, long sharedBuffers, PoolSettings pool, ReadinessOptions options, int? bouncerBackends = null)
    {
        var backends = bouncerBackends ?? pool.MaxSize;
        var whose = bouncerBackends is null ? "the pool's" : "PgBouncer's";
        var documentMinimum = PgSize.Parse(options.MinMemory);
        var machine = memTotal is { } total ? $"MemTotal {PgSize.Format(total)}" : "MemTotal unknown (/proc/meminfo could not be read)";
        if (perBackend is null)
        {
            return new ReadinessCheck(
                ReadinessCheckNames.Memory,
                false,
                $"{machine}; the per-backend cost could not be measured",
                $">= {options.MinMemory} and >= {whose} backends x measured per-backend cost + shared_buffers",
                "Let the check measure an idle backend: connect with a role that may read pg_backend_memory_contexts " +
                "(a superuser; from PostgreSQL 16 on, also pg_read_all_stats), or run it on the server's machine as a user that may read /proc/<pid>/smaps_rollup.");
        }
        var poolNeed = backends * perBackend.Bytes + sharedBuffers;
        var need = Math.Max(documentMinimum, poolNeed);
        var ok = memTotal >= need;
        var advice = ok ? null
            : $"Give the machine at least {PgSize.Format(need)} of memory" +
              (memTotal is { } m && m > sharedBuffers
                  ? (bouncerBackends is null
                      ? Invariant($", or lower Pool:MaxSize to {(m - sharedBuffers) / perBackend.Bytes} at most (the pool's share), keeping in mind the document asks for {options.MinMemory}.")
                      : Invariant($", or lower PgBouncer's default_pool_size so that its backends stay within {(m - sharedBuffers) / perBackend.Bytes}, keeping in mind the document asks for {options.MinMemory}."))
                  : ".");
        return new ReadinessCheck(
            ReadinessCheckNames.Memory,
            ok,
            $"{machine}; per backend {PgSize.Format(perBackend.Bytes)}, {perBackend.How}",
            Invariant($">= {PgSize.Format(need)}: the document's {options.MinMemory}, and {whose} {backends} x {PgSize.Format(perBackend.Bytes)} per backend + shared_buffers {PgSize.Format(sharedBuffers)} = {PgSize.Format(poolNeed)}"),
            advice);
    }

    public static ReadinessCheck CpuCores(int cores, ReadinessOptions options) => new(
        ReadinessCheckNames.CpuCores,
        cores >= options.MinCpuCores,
        Invariant($"{cores}"),
        Invariant($">= {options.MinCpuCores}"),
        cores >= options.MinCpuCores ? null
            : Invariant($"Run on a machine (or give the container) at least {options.MinCpuCores} cores: with {cores}, managing thousands of connections competes with the requests' own work."));

    /// <summary>A memory setting against the document's value: at least it, or exactly it when <paramref name="exactly"/>.</summary>
    public static ReadinessCheck Setting(string name, ServerSetting? actual, string expected, bool exactly)
    {
        var expectedBytes = PgSize.Parse(expected);
        var expectedText = exactly ? $"= {expected}" : $">= {expected}";
        var apply = actual is { NeedsRestart: false } ? "SELECT pg_reload_conf();" : "restart PostgreSQL";
        var advice = $"Set {name} = '{expected}' in postgresql.conf (ALTER SYSTEM SET {name} = '{expected}';), then {apply}.";
        if (actual is null)
        {
            return new ReadinessCheck(name, false, "unknown: not in pg_settings", expectedText, advice);
        }
        var ok = exactly ? actual.Bytes == expectedBytes : actual.Bytes >= expectedBytes;
        return new ReadinessCheck(name, ok, actual.Display, expectedText, ok ? null : advice);
    }

    public static ReadinessCheck StatementTimeout(long actualMs, PoolSettings pool, bool throughBouncer = false)
    {
        var expectedMs = (long)pool.StatementTimeout.TotalMilliseconds;
        var ok = actualMs == expectedMs;
        return new ReadinessCheck(
            ReadinessCheckNames.StatementTimeout,
            ok,
            actualMs == 0 ? "0 ms (none) on a connection of the main pool" : Invariant($"{actualMs} ms on a connection of the main pool"),
            Invariant($"{expectedMs} ms (Pool:StatementTimeout)"),
            ok ? null
                : throughBouncer
                    ? Invariant($"Behind PgBouncer the node sets it on its role at start (ALTER ROLE CURRENT_USER IN DATABASE <db> SET statement_timeout = {expectedMs}); a backend PgBouncer opened before keeps the old value: RECONNECT <db> on PgBouncer's console, or wait for server_lifetime.")
                    : Invariant($"The pool sends statement_timeout as a startup option (-c statement_timeout={expectedMs}); something in between drops it (a pooler such as PgBouncer refuses it). ") +
                      Invariant($"Set it for the application's role instead: ALTER ROLE <user> SET statement_timeout = {expectedMs};"));
    }

    /// <summary>A check whose facts could not be read: never ok, with what to look at.</summary>
    public static ReadinessCheck Unreadable(string name, string expected, string reason, string advice) =>
        new(name, false, $"unknown: {reason}", expected, advice);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
