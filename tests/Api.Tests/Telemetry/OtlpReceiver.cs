using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ExamConsole.Api.Tests.Telemetry;

/// <summary>
/// A stand-in OpenTelemetry collector: OTLP over HTTP (protobuf) on a loopback port, keeping every
/// export it receives. Protobuf writes strings as UTF-8 bytes, so span and metric names can be found
/// in a body without decoding it.
/// </summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(string Path, byte[] Body)> _received = new();

    private OtlpReceiver(WebApplication app) => _app = app;

    public Uri Endpoint { get; private set; } = null!;

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var receiver = new OtlpReceiver(builder.Build());
        receiver._app.MapPost("/v1/{signal}", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            receiver._received.Enqueue((context.Request.Path.Value!, body.ToArray()));
            // An empty Export*ServiceResponse is zero bytes of protobuf.
            context.Response.ContentType = "application/x-protobuf";
        });
        await receiver._app.StartAsync();
        var address = receiver._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Endpoint = new Uri(address);
        return receiver;
    }

    /// <summary>True when some export to <paramref name="path"/> (/v1/traces, /v1/metrics) contains <paramref name="text"/>.</summary>
    public bool Received(string path, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return _received.Any(r => r.Path == path && r.Body.AsSpan().IndexOf(bytes) >= 0);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
