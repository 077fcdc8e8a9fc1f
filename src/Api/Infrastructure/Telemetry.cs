using ExamConsole.Data.Pool;
using ExamConsole.Data.Telemetry.Readiness;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ExamConsole.Api.Infrastructure;

/// <summary>
/// /metrics in Prometheus text format (Npgsql's meters, the engine's, endpoint latency by route, the
/// runtime, the admission gate, Polly), the same meters over OTLP, and traces over OTLP, when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set. Without it no tracer provider exists, so no activity
/// source of ours has a listener and <c>StartActivity</c> returns null: tracing then costs one check.
/// </summary>
public static class Telemetry
{
    /// <summary>The OpenTelemetry SDK's own variable (read through configuration, so an environment variable or any other source sets it).</summary>
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public const string DefaultServiceName = "examconsole";

    /// <summary>The meters /metrics and OTLP carry besides those named ExamConsole.*.</summary>
    public static readonly IReadOnlyList<string> OtherMeters =
    [
        "Npgsql",
        // ASP.NET Core's own http.server.request.duration, tagged with the route.
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        // The admission gate is ASP.NET Core's rate-limiting middleware: leases, queue, time in queue.
        "Microsoft.AspNetCore.RateLimiting",
        // Built into .NET 9 and later (GC, thread pool, JIT, exceptions): no instrumentation package needed.
        "System.Runtime",
        // Polly.Extensions' resilience.polly.* (retries, timeouts, breaker transitions), see DatabaseResilience.
        "Polly",
    ];

    private static readonly double[] LatencyBuckets = [0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    // Scrapes, probes and the console's own circuit are not worth a trace each.
    private static readonly PathString[] UntracedPaths = ["/metrics", "/health", "/_blazor", "/_framework", "/_content"];

    /// <summary>True when an OTLP collector is configured: then traces are recorded and metrics pushed to it too.</summary>
    public static bool OtlpConfigured(IConfiguration configuration) => !string.IsNullOrWhiteSpace(configuration[OtlpEndpointKey]);

    public static IHostApplicationBuilder AddExamTelemetry(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<PoolGauges>();
        // The readiness checklist asks this node's /metrics over HTTP, as a scraper would.
        builder.Services.AddHttpClient(MetricsEndpointProbe.HttpClientName);
        builder.Services.AddSingleton<IMetricsEndpointProbe, MetricsEndpointProbe>();

        var otlp = OtlpConfigured(builder.Configuration);
        var serviceName = builder.Configuration["OTEL_SERVICE_NAME"];
        var telemetry = builder.Services.AddOpenTelemetry()
            // OTEL_SERVICE_NAME when set; otherwise the product's name rather than the SDK's unknown_service.
            .ConfigureResource(resource => resource.AddService(string.IsNullOrWhiteSpace(serviceName) ? DefaultServiceName : serviceName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter("ExamConsole.*").AddMeter([.. OtherMeters])
                    // Fine buckets around the deployment's response-time targets: login 3 ms, paper 5 ms, submission 10 ms.
                    .AddView("http.server.request.duration", new ExplicitBucketHistogramConfiguration { Boundaries = LatencyBuckets })
                    .AddPrometheusExporter();
                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            });
        if (otlp)
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(ExamTracing.SourceName)
                .AddAspNetCoreInstrumentation(options => options.Filter = context => !IsUntraced(context.Request.Path))
                .AddNpgsql()
                .AddOtlpExporter());
        }
        return builder;
    }

    public static IEndpointRouteBuilder MapExamMetrics(this IEndpointRouteBuilder routes)
    {
        // The gauges register their instruments when first built.
        routes.ServiceProvider.GetRequiredService<PoolGauges>();
        routes.MapPrometheusScrapingEndpoint("/metrics");
        return routes;
    }

    private static bool IsUntraced(PathString path)
    {
        foreach (var prefix in UntracedPaths)
        {
            if (path.StartsWithSegments(prefix))
            {
                return true;
            }
        }
        return false;
    }
}
