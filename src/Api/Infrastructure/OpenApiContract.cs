using ExamConsole.Api.Admission;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ExamConsole.Api.Infrastructure;

/// <summary>
/// What the OpenAPI document says about access and overload, in one place: the bearer scheme, which
/// operations need it (read from each endpoint's own authorization metadata, so a new route cannot be
/// described as open by mistake), their 401 and 403, the admission gate's 503 on the teacher routes,
/// and the Retry-After header on every 429 and 503.
/// </summary>
public static class OpenApiContract
{
    public const string BearerScheme = "Bearer";

    public const string RetryAfterHeader = "Retry-After";

    private const string ProblemSchema = nameof(ProblemDetails);

    public static OpenApiOptions AddExamContract(this OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.AddComponent<IOpenApiSecurityScheme>(BearerScheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "The token from POST /api/auth/login (teachers) or POST /api/admin/auth/login (administrators).",
            });
            return Task.CompletedTask;
        });
        options.AddOperationTransformer(DescribeAccessAndOverloadAsync);
        return options;
    }

    private static async Task DescribeAccessAndOverloadAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (RequiresToken(metadata))
        {
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [],
            });
            await AddProblemAsync(operation, context, StatusCodes.Status401Unauthorized,
                "No bearer token, or one that is expired or not signed by this deployment.", cancellationToken);
            await AddProblemAsync(operation, context, StatusCodes.Status403Forbidden,
                "The token's role may not call this route (an administrator's token on a teacher route, a teacher's on an operator route, a viewer's on one that changes something), or the resource is not the caller's.", cancellationToken);
        }
        if (AdmissionGate.IsGated(new PathString("/" + context.Description.RelativePath)))
        {
            await AddProblemAsync(operation, context, StatusCodes.Status503ServiceUnavailable,
                "Shed by the admission gate, or the database is not answering in time; Retry-After says when to try again.", cancellationToken);
        }
        foreach (var (status, response) in operation.Responses ?? [])
        {
            if (status is "429" or "503" && response is OpenApiResponse concrete)
            {
                concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
                concrete.Headers.TryAdd(RetryAfterHeader, new OpenApiHeader
                {
                    Description = "Whole seconds to wait before trying again (at least 1).",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.Integer },
                });
            }
        }
    }

    /// <summary>The authorization middleware's own rule: an authorization requirement and no AllowAnonymous.</summary>
    private static bool RequiresToken(IList<object> metadata) =>
        metadata.Any(m => m is IAuthorizeData or AuthorizationPolicy) && !metadata.Any(m => m is IAllowAnonymous);

    private static async Task AddProblemAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, int status, string description, CancellationToken cancellationToken)
    {
        operation.Responses ??= [];
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (operation.Responses.ContainsKey(key))
        {
            return;
        }
        // One ProblemDetails component, the one the endpoints' own ProducesProblem answers point to.
        var document = context.Document ?? throw new InvalidOperationException("The operation has no document.");
        document.AddComponent<IOpenApiSchema>(ProblemSchema, await context.GetOrCreateSchemaAsync(typeof(ProblemDetails), null, cancellationToken));
        operation.Responses[key] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(ProblemSchema, document) },
            },
        };
    }
}
