using Microsoft.Extensions.Options;
using Npgsql;

namespace ExamConsole.Data.Bouncer;

/// <summary>
/// Whether <c>ConnectionStrings:Exam</c> reaches PostgreSQL through PgBouncer in transaction mode,
/// and where the work that needs a session of its own goes then (LISTEN, advisory locks,
/// migrations): a database of the same PgBouncer in session mode. Every connection of the node then
/// passes through PgBouncer.
/// </summary>
public sealed class PgBouncerOptions
{
    public const string SectionName = "PgBouncer";

    /// <summary>The main connection string names a PgBouncer database in transaction mode.</summary>
    public bool Enabled { get; set; }

    /// <summary>PgBouncer's database in session mode for the same PostgreSQL database; empty: the main one's name + "_session".</summary>
    public string? SessionDatabase { get; set; }

    /// <summary>PgBouncer's admin console (SHOW POOLS, SHOW STATS), on the same host and port, as the same user.</summary>
    public string AdminDatabase { get; set; } = "pgbouncer";
}

public sealed class PgBouncerOptionsValidator : IValidateOptions<PgBouncerOptions>
{
    public ValidateOptionsResult Validate(string? name, PgBouncerOptions o) =>
        new OptionsCheck(PgBouncerOptions.SectionName)
            .Require(o.SessionDatabase is null || o.SessionDatabase.Trim().Length > 0, nameof(o.SessionDatabase), "must name a database or be left out", OptionsCheck.Quote(o.SessionDatabase))
            .Require(!string.IsNullOrWhiteSpace(o.AdminDatabase), nameof(o.AdminDatabase), "must name PgBouncer's admin database", OptionsCheck.Quote(o.AdminDatabase))
            .Result;
}

/// <summary>
/// How this node reaches PostgreSQL: the connection strings of its three kinds of connection and
/// what differs behind PgBouncer. Built once from configuration; the data sources take it.
/// </summary>
public sealed class DatabaseRoute
{
    private DatabaseRoute(string main, bool throughBouncer, string session, string? admin)
    {
        MainConnectionString = main;
        ThroughBouncer = throughBouncer;
        SessionConnectionString = session;
        BouncerAdminConnectionString = admin;
    }

    /// <summary>The request path's connection string as configured.</summary>
    public string MainConnectionString { get; }

    /// <summary>Connections pass PgBouncer in transaction mode: no <c>options</c> startup parameter, no session state between transactions.</summary>
    public bool ThroughBouncer { get; }

    /// <summary>For work that keeps a session (LISTEN, session advisory locks, SET): the main one when direct, PgBouncer's session-mode database behind it.</summary>
    public string SessionConnectionString { get; }

    /// <summary>PgBouncer's admin console; null when direct.</summary>
    public string? BouncerAdminConnectionString { get; }

    public static DatabaseRoute Direct(string connectionString) => new(connectionString, false, connectionString, null);

    public static DatabaseRoute For(string connectionString, PgBouncerOptions options)
    {
        if (!options.Enabled)
        {
            return Direct(connectionString);
        }
        var main = new NpgsqlConnectionStringBuilder(connectionString);
        var database = string.IsNullOrEmpty(main.Database) ? main.Username : main.Database;
        var session = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Database = string.IsNullOrWhiteSpace(options.SessionDatabase) ? $"{database}_session" : options.SessionDatabase,
        };
        var admin = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Database = options.AdminDatabase,
            Pooling = false,
            ApplicationName = null,
        };
        return new DatabaseRoute(connectionString, true, session.ConnectionString, admin.ConnectionString);
    }

    /// <summary>
    /// Sets the server's statement_timeout of connections from <paramref name="csb"/>: as a startup
    /// option when direct. PgBouncer refuses the <c>options</c> startup parameter, so behind it the
    /// role's setting in the database holds (<see cref="StatementTimeoutSetting"/>), and session
    /// connections SET it after opening.
    /// </summary>
    public void AddStatementTimeout(NpgsqlConnectionStringBuilder csb, TimeSpan timeout)
    {
        if (ThroughBouncer)
        {
            return;
        }
        var option = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"-c statement_timeout={(long)timeout.TotalMilliseconds}");
        csb.Options = string.IsNullOrWhiteSpace(csb.Options) ? option : $"{csb.Options} {option}";
    }

    /// <summary>
    /// Behind PgBouncer in transaction mode: Npgsql must not reset the session when a connection
    /// goes back to its pool (DISCARD ALL would run on whichever backend PgBouncer has lent), and must
    /// not prepare statements. PgBouncer 1.18 (Debian 12's) has no protocol-level prepared statements
    /// (max_prepared_statements came in 1.21): a statement prepared on one backend is unknown on the
    /// next. Npgsql prepares only when asked (Max Auto Prepare is 0 by default, and nothing here calls
    /// Prepare); it is set explicitly so that a connection string cannot turn it on.
    /// </summary>
    public void ApplyPoolerRules(NpgsqlConnectionStringBuilder csb)
    {
        if (!ThroughBouncer)
        {
            return;
        }
        csb.NoResetOnClose = true;
        csb.MaxAutoPrepare = 0;
    }
}
