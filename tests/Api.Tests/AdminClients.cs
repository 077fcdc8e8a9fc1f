using System.Net.Http.Headers;
using ExamConsole.Api.Admin;
using ExamConsole.Api.Auth;
using ExamConsole.Data.Admin;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ExamConsole.Api.Tests;

/// <summary>Clients of the host with a bearer token of a given role, issued by the host's own token service.</summary>
internal static class AdminClients
{
    /// <summary>
    /// A client with a token of <paramref name="role"/>. An operator's or viewer's token belongs to an
    /// account made for it (tokens are checked against their account on every request).
    /// </summary>
    public static async Task<HttpClient> AsAsync(WebApplicationFactory<Program> factory, string role)
    {
        var tokens = factory.Services.GetRequiredService<TokenService>();
        string token;
        if (role is AdminPolicies.OperatorRole or AdminPolicies.ViewerRole)
        {
            var account = await CreateAccountAsync(factory, role);
            var state = await factory.Services.GetRequiredService<AdminAccounts>().FindStateAsync(account.Username);
            (token, _) = AdminAuthApi.IssueToken(tokens, account.Username, role, state!.SecurityStamp, TimeSpan.FromMinutes(10));
        }
        else
        {
            (token, _) = tokens.Issue($"test-{role}", role, new Dictionary<string, object>(), TimeSpan.FromMinutes(10));
        }
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>An administrator account no other test uses, with a password of its own.</summary>
    public static async Task<TestAdmin> CreateAccountAsync(WebApplicationFactory<Program> factory, string role)
    {
        var account = new TestAdmin($"test-{role}-{Guid.NewGuid():N}"[..32], "pw-" + Guid.NewGuid().ToString("N"));
        Assert.True(await factory.Services.GetRequiredService<AdminAccounts>().CreateAsync(account.Username, account.Password, role));
        return account;
    }
}

internal sealed record TestAdmin(string Username, string Password);
