using System.Diagnostics;
using ExamConsole.Data.Pool;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;

namespace ExamConsole.Api.Infrastructure;

/// <summary>
/// Names the request after its route ("POST /api/attempts/{attemptId}/submit") for the pool's
/// leases (leak reports) and for the request's activity ("POST /api/attempts/{attemptId}/submit") as soon
/// as routing has matched. ASP.NET Core gives it that name only when the request ends, so the
/// database commands run during the request (the slow-command log's source) would otherwise only
/// see the method.
/// </summary>
public static class RouteActivityNames
{
    private const string HostingActivityName = "Microsoft.AspNetCore.Hosting.HttpRequestIn";

    public static IApplicationBuilder UseRouteActivityNames(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            if (context.GetEndpoint() is { } endpoint
                && (endpoint.Metadata.GetMetadata<IRouteDiagnosticsMetadata>()?.Route ?? (endpoint as RouteEndpoint)?.RoutePattern.RawText) is { } route)
            {
                var name = $"{context.Request.Method} {route}";
                LeaseSource.Current = name;
                if (Activity.Current is { OperationName: HostingActivityName } activity)
                {
                    activity.DisplayName = name;
                }
            }
            return next(context);
        });
}
