using System.Net.Http.Headers;
using System.Net.Http.Json;
using ExamConsole.Api.Fleet;
using ExamConsole.Api.Tests.Admin;
using ExamConsole.Data.Admin;
using ExamConsole.Data.Fleet;
using ExamConsole.Data.Pool;
using ExamConsole.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ExamConsole.Api.Tests;

/// <summary>
/// What the operator API tests share: the host's own pool engine (the real one, on the test cluster's
/// max_connections 200 less the reserve 20), and one sign-in per administrator for the whole run,
/// since logins per username are throttled.
/// </summary>
public sealed partial class ApiFixture
{
    private readonly Lazy<Task<string>> _operatorToken;
    private readonly Lazy<Task<string>> _viewerToken;

    public ApiFixture()
    {
        _operatorToken = new(() => AdminTokenAsync(AdminSeeder.AdminUsername, ExamHostFactory.AdminPassword));
        _viewerToken = new(() => AdminTokenAsync(AdminSeeder.ViewerUsername, ExamHostFactory.ViewerPassword));
    }

    /// <summary>The host's pool engine.</summary>
    public IPoolEngine Pool => Factory.Services.GetRequiredService<IPoolEngine>();

    /// <summary>
    /// Puts the fleet's budget back to what it is now when disposed, as a version of the desired state
    /// written without an audit entry: a test that resizes leaves the next one the pool it found.
    /// </summary>
    public IAsyncDisposable KeepPoolSize() => new PoolSizeKeeper(Factory.Services.GetRequiredService<IFleetSettings>());

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

    private sealed class PoolSizeKeeper(IFleetSettings fleet) : IAsyncDisposable
    {
        private readonly (int Max, int Min) _before = (fleet.FleetMaxSize, fleet.MinSizePerNode);

        public async ValueTask DisposeAsync()
        {
            if ((fleet.FleetMaxSize, fleet.MinSizePerNode) != _before)
            {
                await fleet.ChangeAsync("test", (s, v) => s with { Pool = new PoolBudget(_before.Max, _before.Min, v) }, CancellationToken.None);
            }
        }
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
