using ExamConsole.Data.Entities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ExamConsole.Data.Admin;

/// <summary>
/// Creates the first administrators from configuration: <c>admin</c> (operator) from
/// <c>Admin:InitialPassword</c> and <c>viewer</c> from <c>Admin:InitialViewerPassword</c>, each only
/// when no account of that name exists. Runs on every start, whatever the demo seed does, since
/// a production database needs its first operator too.
/// </summary>
public sealed partial class AdminSeeder(
    AdminAccounts accounts,
    IOptions<AdminOptions> options,
    ILogger<AdminSeeder> logger)
{
    public const string AdminUsername = "admin";
    public const string ViewerUsername = "viewer";

    public async Task EnsureAccountsAsync(CancellationToken cancellationToken = default)
    {
        var o = options.Value;
        await EnsureAsync(AdminUsername, AdminRoles.Operator, o.InitialPassword, "Admin:InitialPassword", cancellationToken);
        await EnsureAsync(ViewerUsername, AdminRoles.Viewer, o.InitialViewerPassword, "Admin:InitialViewerPassword", cancellationToken);
        if (!await accounts.AnyOperatorAsync(cancellationToken))
        {
            LogNoOperator(AdminOptions.MinPasswordLength);
        }
    }

    private async Task EnsureAsync(string username, string role, string? password, string key, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(password))
        {
            return;
        }
        if (await accounts.ExistsAsync(username, cancellationToken))
        {
            LogKept(username, key);
            return;
        }
        // Several nodes may start at once against one database: the first insert wins, the others do nothing.
        if (await accounts.CreateAsync(username, password, role, cancellationToken))
        {
            LogCreated(username, role, key);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the administrator account '{Username}' (role {Role}) from {Key}")]
    private partial void LogCreated(string username, string role, string key);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Key} is set but the account '{Username}' exists already: its password is left as it is. Remove {Key} from the configuration once the account exists.")]
    private partial void LogKept(string username, string key);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No operator account exists, so nobody can act through the operator API or the console. " +
        "Set Admin__InitialPassword (environment variable; Admin:InitialPassword in appsettings or user secrets) to a password of at least {MinLength} characters and restart: " +
        "the operator account 'admin' is created with it. Admin__InitialViewerPassword creates a read-only 'viewer' the same way.")]
    private partial void LogNoOperator(int minLength);
}
