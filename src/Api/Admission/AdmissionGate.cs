using System.Diagnostics;
using System.Threading.RateLimiting;
using ExamConsole.Api.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry.Trace;

namespace ExamConsole.Api.Admission;

/// <summary>
/// Puts the <see cref="AdmissionController"/> in front of the teacher endpoints through ASP.NET
/// Core's rate-limiting middleware: a shed request gets 503 with Retry-After at once.
/// Operator, health, metrics and console requests are never held back by it.
/// </summary>
public static class AdmissionGate
{
    private const string HighKey = "high";
    private const string LowKey = "low";
    private const string NoneKey = "none";

    public static IServiceCollection AddAdmissionGate(this IServiceCollection services)
    {
        services.AddSingleton<IValidateOptions<AdmissionOptions>, AdmissionOptionsValidator>();
        services.AddOptions<AdmissionOptions>().BindConfiguration(AdmissionOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IOverloadSignal, PoolTimeoutSignal>();
        services.AddSingleton<AdmissionController>();
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status503ServiceUnavailable;
            options.OnRejected = async (context, cancellationToken) =>
            {
                var controller = context.HttpContext.RequestServices.GetRequiredService<AdmissionController>();
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : controller.RetryAfterNow();
                await Problems.TryLater(StatusCodes.Status503ServiceUnavailable, retryAfter, "The exam service is at its admission limit. Try again shortly.")
                    .ExecuteAsync(context.HttpContext);
            };
            // One partition per priority and endpoint (routing has run): the adaptive limit tells the
            // endpoints' latencies apart. Endpoints are the application's, so the partitions are few; a
            // path that matched none shares one. The key is a tuple: nothing is built per request.
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, (string Priority, string Kind)>(context =>
            {
                var key = Classify(context.Request);
                if (key == NoneKey)
                {
                    return RateLimitPartition.GetNoLimiter((NoneKey, ""));
                }
                var controller = context.RequestServices.GetRequiredService<AdmissionController>();
                var priority = key == HighKey ? AdmissionPriority.High : AdmissionPriority.Low;
                var kind = context.GetEndpoint()?.DisplayName ?? "";
                return RateLimitPartition.Get((key, kind), _ => controller.For(priority, kind));
            });
        });
        return services;
    }

    /// <summary>
    /// The gate in the request pipeline: ASP.NET Core's rate limiter, and, on a host that traces (one
    /// with a tracer provider), its decision as the span "admission wait" of a gated request (admitted,
    /// or shed with 503), so that a request's trace shows how long it queued for a slot. A host that
    /// does not trace gets the rate limiter alone.
    /// </summary>
    public static IApplicationBuilder UseAdmissionGate(this IApplicationBuilder app)
    {
        if (app.ApplicationServices.GetService<TracerProvider>() is null)
        {
            return app.UseRateLimiter();
        }
        app.Use(async (context, next) =>
        {
            using var span = IsGated(context.Request.Path) ? ExamTracing.Source.StartActivity(ExamTracing.AdmissionSpan) : null;
            if (span is null)
            {
                await next(context);
                return;
            }
            span.SetTag(ExamTracing.AdmissionPriorityTag, Classify(context.Request));
            context.Features.Set(new AdmissionSpan(span));
            await next(context);
            // The limiter answered without passing the request on.
            if (!span.IsStopped)
            {
                span.SetTag(ExamTracing.AdmissionOutcomeTag, "shed");
            }
        });
        app.UseRateLimiter();
        app.Use((context, next) =>
        {
            if (context.Features.Get<AdmissionSpan>() is { } admission)
            {
                admission.Span.SetTag(ExamTracing.AdmissionOutcomeTag, "admitted");
                // Ends the wait here, in the flow that goes on to the endpoint: the request's span is current again.
                admission.Span.Stop();
            }
            return next(context);
        });
        return app;
    }

    /// <summary>Submissions and answer saves first; every other teacher request after them; the rest is not gated.</summary>
    public static string Classify(HttpRequest request)
    {
        var path = request.Path;
        if (!IsGated(path))
        {
            return NoneKey;
        }
        if (path.StartsWithSegments("/api/attempts", out var rest)
            && ((HttpMethods.IsPost(request.Method) && rest.Value?.EndsWith("/submit", StringComparison.Ordinal) == true)
                || (HttpMethods.IsPut(request.Method) && rest.Value?.EndsWith("/answers", StringComparison.Ordinal) == true)))
        {
            return HighKey;
        }
        return LowKey;
    }

    /// <summary>The teacher API (everything under /api but /api/admin) is gated; the OpenAPI document declares its 503 from this too.</summary>
    public static bool IsGated(PathString path) =>
        path.StartsWithSegments("/api") && !path.StartsWithSegments("/api/admin");

    private sealed record AdmissionSpan(Activity Span);
}
