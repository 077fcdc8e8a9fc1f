using System.Net.Http.Headers;
using System.Net.Http.Json;
using ExamConsole.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ExamConsole.Testing;

/// <summary>
/// The real host (Program) on a real PostgreSQL, with a small demo data set. Settings are the
/// appsettings ones unless a test overrides them through <see cref="Settings"/>.
/// </summary>
public class ExamHostFactory(string connectionString) : WebApplicationFactory<Program>
{
    /// <summary>The password of the operator account <c>admin</c> the host creates at start.</summary>
    public const string AdminPassword = "admin-password-of-the-tests";

    /// <summary>The password of the read-only account <c>viewer</c>.</summary>
    public const string ViewerPassword = "viewer-password-of-the-tests";

    /// <summary>Configuration overrides, applied on top of appsettings.json.</summary>
    public Dictionary<string, string?> Settings { get; } = new()
    {
        ["Seed:Teachers"] = "40",
        ["Seed:Exams"] = "3",
        ["Seed:QuestionsPerExam"] = "10",
        ["Pool:MaxSize"] = "40",
        ["Pool:MinSize"] = "0",
        ["Pool:ServerReserve"] = "20",
        ["Auth:SigningKey"] = "test-signing-key-of-at-least-32-bytes!!",
        ["Spool:Directory"] = Path.Combine(Path.GetTempPath(), "examconsole-spool-" + Guid.NewGuid().ToString("N")),
        ["Admin:InitialPassword"] = AdminPassword,
        ["Admin:InitialViewerPassword"] = ViewerPassword,
    };

    /// <summary>The host's environment; browser tests use Development, where the packages' static assets are served from the build output.</summary>
    public string EnvironmentName { get; init; } = "Testing";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(EnvironmentName);
        builder.UseSetting($"ConnectionStrings:{Extensions.ConnectionStringName}", connectionString);
        if (TestPostgres.IsBouncer(connectionString))
        {
            // The second pass of the suite through PgBouncer (EXAMCONSOLE_TEST_PGBOUNCER=1).
            builder.UseSetting("PgBouncer:Enabled", "true");
        }
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
    }

    public ExamDb Db => Services.GetRequiredService<ExamDb>();

    /// <summary>A client already logged in as the given demo teacher.</summary>
    public async Task<HttpClient> TeacherClientAsync(string teacherCode, string password)
    {
        var client = CreateClient();
        var response = await client.PostAsJsonAsync("/api/auth/login", new { teacherCode, password });
        response.EnsureSuccessStatusCode();
        var login = await response.Content.ReadFromJsonAsync<LoginBody>() ?? throw new InvalidOperationException("Empty login answer.");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.Token);
        return client;
    }

    private sealed record LoginBody(string Token, DateTimeOffset ExpiresAt, int TeacherId);
}
