using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace ExamConsole.Api.Infrastructure;

/// <summary>Caps request bodies of the API: 413 at once on a declared length over the cap; a chunked body is cut at the cap by Kestrel.</summary>
public static class BodySizeLimit
{
    public static IApplicationBuilder UseApiBodySizeLimit(this IApplicationBuilder app, long maxBytes) =>
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/api"))
            {
                if (context.Request.ContentLength > maxBytes)
                {
                    await TypedResults.Problem(
                        $"The request body is larger than this API accepts ({maxBytes} bytes).",
                        statusCode: StatusCodes.Status413PayloadTooLarge,
                        title: "Request body too large").ExecuteAsync(context);
                    return;
                }
                if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
                {
                    feature.MaxRequestBodySize = maxBytes;
                }
            }
            await next(context);
        });
}
