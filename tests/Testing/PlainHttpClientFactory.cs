namespace ExamConsole.Testing;

/// <summary>A new plain HttpClient per call: enough for a probe that makes one request.</summary>
public sealed class PlainHttpClientFactory : IHttpClientFactory
{
    public HttpClient CreateClient(string name) => new();
}
