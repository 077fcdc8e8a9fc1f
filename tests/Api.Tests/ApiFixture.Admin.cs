using System.Net.Http.Headers;
using System.Net.Http.Json;
using ExamConsole.Api.Tests.Admin;
using ExamConsole.Data.Admin;
using ExamConsole.Data.Pool;
using ExamConsole.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace ExamConsole.Api.Tests;

/// <summary>
/// What the operator API tests share: a second host on the same database with a fake pool engine
/// (the real one is not part of this host yet), and one sign-in per administrator for the whole
/// run, since logins per username are throttled.
/// </summary>
public sealed partial class ApiFixture
{
    private readonly Lazy<WebApplicationFactory<Program>> _poolHost;
    private readonly Lazy<Task<string>> _operatorToken;
    private readonly Lazy<Task<string>> _viewerToken;

    public ApiFixture()
    {
        // A spool folder of its own: two hosts must never write one spool file.
        _poolHost = new(() => Factory.WithWebHostBuilder(builder => builder
            .UseSetting("Spool:Directory", Path.Combine(Path.GetTempPath(), "examconsole-spool-" + Guid.NewGuid().ToString("N")))
            .ConfigureTestServices(services => services.AddSingleton<IPoolEngine>(PoolEngine))));
        _operatorToken = new(() => AdminTokenAsync(AdminSeeder.AdminUsername, ExamHostFactory.AdminPassword));
        _viewerToken = new(() => AdminTokenAsync(AdminSeeder.ViewerUsername, ExamHostFactory.ViewerPassword));
    }

    internal FakePoolEngine PoolEngine { get; } = new();

    /// <summary>The host with <see cref="PoolEngine"/> registered; disposed with <see cref="Factory"/>.</summary>
    public WebApplicationFactory<Program> PoolHost => _poolHost.Value;

    public Task<string> OperatorTokenAsync() => _operatorToken.Value;

    public Task<string> ViewerTokenAsync() => _viewerToken.Value;

    /// <summary>A client of <paramref name="host"/> that sends <paramref name="token"/> (none when null).</summary>
    public static HttpClient ClientWithToken(WebApplicationFactory<Program> host, string? token)
    {
        var client = host.CreateClient();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return client;
    }

    private async Task<string> AdminTokenAsync(string username, string password)
    {
        using var client = Factory.CreateClient();
        var response = await client.PostAsJsonAsync("/api/admin/auth/login", new { username, password });
        response.EnsureSuccessStatusCode();
        var login = await response.Content.ReadFromJsonAsync<AdminLoginBody>() ?? throw new InvalidOperationException("Empty login answer.");
        return login.Token;
    }
}
