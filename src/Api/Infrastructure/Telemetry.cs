using ExamConsole.Data.Pool;
using ExamConsole.Data.Telemetry.Readiness;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;

namespace ExamConsole.Api.Infrastructure;

/// <summary>/metrics in Prometheus text format: Npgsql's meters, the engine's, endpoint latency by route.</summary>
public static class Telemetry
{
    private static readonly double[] LatencyBuckets = [0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    public static IHostApplicationBuilder AddExamTelemetry(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<PoolGauges>();
        // The readiness checklist asks this node's /metrics over HTTP, as a scraper would.
        builder.Services.AddHttpClient(MetricsEndpointProbe.HttpClientName);
        builder.Services.AddSingleton<IMetricsEndpointProbe, MetricsEndpointProbe>();
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter("Npgsql")
            .AddMeter("ExamConsole.*")
            // ASP.NET Core's own http.server.request.duration, tagged with the route.
            .AddMeter("Microsoft.AspNetCore.Hosting")
            .AddMeter("Microsoft.AspNetCore.Server.Kestrel")
            // Fine buckets around the deployment's response-time targets: login 3 ms, paper 5 ms, submission 10 ms.
            .AddView("http.server.request.duration", new ExplicitBucketHistogramConfiguration { Boundaries = LatencyBuckets })
            .AddPrometheusExporter());
        return builder;
    }

    public static IEndpointRouteBuilder MapExamMetrics(this IEndpointRouteBuilder routes)
    {
        // The gauges register their instruments when first built.
        routes.ServiceProvider.GetRequiredService<PoolGauges>();
        routes.MapPrometheusScrapingEndpoint("/metrics");
        return routes;
    }
}
