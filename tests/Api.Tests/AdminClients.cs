using System.Net.Http.Headers;
using ExamConsole.Api.Auth;
using ExamConsole.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ExamConsole.Api.Tests;

/// <summary>Clients of the host with a bearer token of a given role, issued by the host's own token service.</summary>
internal static class AdminClients
{
    public static HttpClient As(ExamHostFactory factory, string role)
    {
        var tokens = factory.Services.GetRequiredService<TokenService>();
        var (token, _) = tokens.Issue($"test-{role}", role, new Dictionary<string, object>(), TimeSpan.FromMinutes(10));
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
