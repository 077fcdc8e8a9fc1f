using System.Net;
using System.Net.Http.Json;
using ExamConsole.Api.Tests.Support;
using ExamConsole.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace ExamConsole.Api.Tests.Telemetry;

/// <summary>
/// A host with tracing on, as in production (OTEL_EXPORTER_OTLP_ENDPOINT set, here through the host's
/// configuration), exporting to a stand-in collector over OTLP and, for the tests to read, to an
/// in-memory exporter added to the same tracer provider. Its own cluster: Npgsql's meter is
/// process-wide, and no other host's pool may count in these tests.
/// </summary>
public sealed class TracingFixture : IAsyncLifetime
{
    private TestPostgres? _postgres;

    internal SpanLog Spans { get; } = new();

    internal OtlpReceiver Receiver { get; private set; } = null!;

    internal TracingHost Host { get; private set; } = null!;

    public TestData Data { get; private set; } = null!;

    public string ConnectionString => _postgres!.ConnectionString;

    public async Task InitializeAsync()
    {
        _postgres = await TestPostgres.StartAsync("tracing");
        Receiver = await OtlpReceiver.StartAsync();
        Host = NewHost(Spans);
        // Building the host runs Program: migrations and the small demo seed.
        _ = Host.Services;
        Data = new TestData(_postgres.ConnectionString);
    }

    /// <summary>A host of this fixture's kind, tracing to the stand-in collector and to <paramref name="spans"/>.</summary>
    internal TracingHost NewHost(SpanLog spans)
    {
        var host = new TracingHost(_postgres!.ConnectionString, spans);
        host.Settings["ExamApi:CatalogRefresh"] = "00:00:00";
        host.Settings[Infrastructure.Telemetry.OtlpEndpointKey] = Receiver.Endpoint.ToString();
        // The stand-in collector speaks OTLP over HTTP; the exporter's default is gRPC.
        host.Settings["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        return host;
    }

    /// <summary>A new teacher on a new open exam of <paramref name="host"/> (this fixture's by default), with the paper read and the attempt started.</summary>
    internal async Task<ActiveAttempt> ActiveAttemptAsync(ExamHostFactory? host = null)
    {
        host ??= Host;
        var examId = await Data.CreateExamAsync(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(3));
        var teacher = await Data.CreateTeacherAsync([examId]);
        var client = await host.TeacherClientAsync(teacher.Code, teacher.Password);
        var paper = await client.GetFromJsonAsync<PaperBody>($"/api/exams/{examId}/paper") ?? throw new InvalidOperationException("Empty paper.");
        var response = await client.PostAsync($"/api/exams/{examId}/attempts", null);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var attempt = await response.Content.ReadFromJsonAsync<AttemptBody>() ?? throw new InvalidOperationException("Empty attempt.");
        return new ActiveAttempt(teacher, client, examId, paper, attempt);
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Receiver.DisposeAsync();
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }
}

/// <summary>The real host, its tracer provider also exporting to <see cref="SpanLog"/> (only if the host made one).</summary>
internal sealed class TracingHost(string connectionString, SpanLog spans) : ExamHostFactory(connectionString)
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans)));
    }
}

[CollectionDefinition(Name)]
public sealed class TracingCollection : ICollectionFixture<TracingFixture>
{
    public const string Name = "tracing";
}
