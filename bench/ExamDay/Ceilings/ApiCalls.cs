using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Serialization.Metadata;

namespace ExamConsole.ExamDay.Ceilings;

/// <summary>The few teacher calls the ceilings' preparation makes; any answer but a 2xx ends the run with its status.</summary>
internal static class ApiCalls
{
    public static async Task<(LoginAnswer Teacher, AuthenticationHeaderValue Auth)> LoginAsync(HttpClient client, int number, CancellationToken cancellationToken)
    {
        using var login = await client.PostAsJsonAsync("/api/auth/login", new LoginBody(VirtualTeacher.Code(number), VirtualTeacher.Password(number)), ContractJson.Default.LoginBody, cancellationToken);
        if (!login.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Login of {VirtualTeacher.Code(number)} answered {(int)login.StatusCode}: is the demo data seeded, and the throttle open?");
        }
        var teacher = (await login.Content.ReadFromJsonAsync(ContractJson.Default.LoginAnswer, cancellationToken))!;
        return (teacher, new AuthenticationHeaderValue("Bearer", teacher.Token));
    }

    public static async Task<(HttpStatusCode Status, T Value)> SendAsync<T>(HttpClient client, HttpMethod method, string path, AuthenticationHeaderValue auth, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(client, method, path, auth, cancellationToken);
        return (response.StatusCode, (await response.Content.ReadFromJsonAsync(type, cancellationToken))!);
    }

    public static async Task<byte[]> GetBytesAsync(HttpClient client, string path, AuthenticationHeaderValue auth, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(client, HttpMethod.Get, path, auth, cancellationToken);
        return await response.Content.ReadAsByteArrayAsync(cancellationToken);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, AuthenticationHeaderValue auth, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = auth;
        var response = await client.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            response.Dispose();
            throw new InvalidOperationException($"{method} {path} answered {(int)response.StatusCode}.");
        }
        return response;
    }
}
