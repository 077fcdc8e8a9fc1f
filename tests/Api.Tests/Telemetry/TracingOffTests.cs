using System.Net;
using ExamConsole.Api.Infrastructure;
using ExamConsole.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace ExamConsole.Api.Tests.Telemetry;

/// <summary>Without OTEL_EXPORTER_OTLP_ENDPOINT a node has no tracer provider: nothing listens to the API's spans.</summary>
[Collection(ApiCollection.Name)]
public sealed class TracingOffTests(ApiFixture fixture)
{
    [Fact]
    public async Task Host_WithoutOtlpEndpoint_HasNoTracerProviderAndNoListenerOnTheApiSource()
    {
        await using var host = new ExamHostFactory(fixture.ConnectionString);
        // Empty, whatever the environment of the test run says.
        host.Settings[Infrastructure.Telemetry.OtlpEndpointKey] = "";
        var teacher = await fixture.Data.CreateTeacherAsync();
        using var client = await host.TeacherClientAsync(teacher.Code, teacher.Password);
        (await client.GetAsync("/api/exams")).EnsureSuccessStatusCode();

        Assert.False(Infrastructure.Telemetry.OtlpConfigured(host.Services.GetRequiredService<IConfiguration>()));
        Assert.Null(host.Services.GetService<TracerProvider>());
        // Metrics stay: /metrics is served from the meter provider.
        Assert.NotNull(host.Services.GetService<MeterProvider>());
        // No listener: every StartActivity on the source returns null before allocating anything.
        Assert.False(ExamTracing.Source.HasListeners());
        Assert.Null(ExamTracing.Source.StartActivity(ExamTracing.CommitSpan));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/metrics")).StatusCode);
    }
}
