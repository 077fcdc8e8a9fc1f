using Microsoft.Extensions.Options;

namespace ExamConsole.Data.Maintenance;

/// <summary>Schema and maintenance work (section <c>Database</c>).</summary>
public sealed class DatabaseOptions
{
    public const string SectionName = "Database";

    /// <summary>Apply pending EF Core migrations when the host starts.</summary>
    public bool MigrateOnStart { get; set; } = true;

    /// <summary>
    /// How long one maintenance statement (a migration, the seed's COPY and its 400,000 foreign-key
    /// checks, VACUUM/ANALYZE) may run: the server's statement_timeout and, 30 s later, the client's
    /// command timeout of maintenance connections. The request path keeps the deployment's 6 s
    /// query timeout and 8 s statement_timeout, which such work outlasts.
    /// </summary>
    public TimeSpan MaintenanceTimeout { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>Refuses nonsense maintenance settings at start, naming the key and the accepted range.</summary>
public sealed class DatabaseOptionsValidator : IValidateOptions<DatabaseOptions>
{
    public ValidateOptionsResult Validate(string? name, DatabaseOptions o) =>
        new OptionsCheck(DatabaseOptions.SectionName)
            // Below a minute the 40,000-teacher seed (its 400,000 foreign-key checks) cannot finish on 2 cores.
            .WholeSecondsBetween(nameof(o.MaintenanceTimeout), o.MaintenanceTimeout, TimeSpan.FromMinutes(1), TimeSpan.FromHours(24))
            .Result;
}
