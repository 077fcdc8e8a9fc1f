using System.Text.Json.Serialization.Metadata;
using ExamConsole.Api.Admin;
using ExamConsole.Api.Admission;
using ExamConsole.Api.Auth;
using ExamConsole.Api.Contracts;
using ExamConsole.Api.Endpoints;
using ExamConsole.Api.Exams;
using ExamConsole.Api.History;
using ExamConsole.Api.Infrastructure;
using ExamConsole.Api.Resilience;
using ExamConsole.Api.Submissions;
using ExamConsole.Api.Submissions.Spool;
using ExamConsole.Data.Pool;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ExamConsole.Api;

public static class Extensions
{
    public const string TeacherPolicy = "teacher";

    /// <summary>
    /// Registers the teacher API (auth, caches, stores), the operator API, problem details, health
    /// checks and the OpenAPI document.
    /// </summary>
    public static IHostApplicationBuilder AddExamApi(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<IValidateOptions<ExamApiOptions>, ExamApiOptionsValidator>();
        services.AddOptions<ExamApiOptions>().BindConfiguration(ExamApiOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.SectionName).ValidateOnStart();

        services.AddSingleton<TokenService>();
        services.AddKeyedSingleton(LoginThrottle.Teachers, (sp, _) =>
        {
            var auth = sp.GetRequiredService<IOptions<AuthOptions>>().Value;
            return new LoginThrottle(auth.LoginAttemptsPerWindow, auth.LoginWindow);
        });
        services.AddSingleton<ExamCatalog>();
        services.AddSingleton<PaperCache>();
        services.AddSingleton<AttemptService>();
        services.AddSingleton<AttemptCache>();

        services.AddSingleton<IValidateOptions<ResilienceOptions>, ResilienceOptionsValidator>();
        services.AddOptions<ResilienceOptions>().BindConfiguration(ResilienceOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SubmitOptions>, SubmitOptionsValidator>();
        services.AddOptions<SubmitOptions>().BindConfiguration(SubmitOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SpoolOptions>, SpoolOptionsValidator>();
        services.AddOptions<SpoolOptions>().BindConfiguration(SpoolOptions.SectionName).ValidateOnStart();
        services.AddAdmissionGate();
        services.AddSingleton(sp =>
        {
            var resilience = ActivatorUtilities.CreateInstance<DatabaseResilience>(sp);
            // Submit:ForceFallback is where the switch's position at start has always been configured.
            resilience.ForceFallback = sp.GetRequiredService<IOptions<SubmitOptions>>().Value.ForceFallback;
            return resilience;
        });
        services.AddSingleton<SubmissionMeters>();
        services.AddSingleton<SubmissionBatcher>();
        services.AddSingleton<SubmissionSpool>();
        services.AddSingleton<SubmissionService>();
        services.AddSingleton<SpoolReplayer>();
        services.AddHostedService(sp => sp.GetRequiredService<SpoolReplayer>());

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddSingleton(sp => new CachingTokenHandler(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<AuthOptions>>().Value.AcceptedTokenCacheSize));
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<TokenService, CachingTokenHandler>((options, tokens, handler) =>
            {
                options.MapInboundClaims = false;
                options.TokenValidationParameters = tokens.ValidationParameters;
                // Each accepted token is verified once per node, then remembered until it expires.
                handler.MapInboundClaims = options.MapInboundClaims;
                options.TokenHandlers.Clear();
                options.TokenHandlers.Add(handler);
            });
        services.AddAuthorizationBuilder()
            .AddPolicy(TeacherPolicy, policy => policy.RequireAuthenticatedUser().RequireRole(TokenService.TeacherRole));

        services.ConfigureHttpJsonOptions(options =>
            options.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default));
        // Bad JSON reaches ApiExceptionHandler, which names the bad field in a problem+json answer.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.AddProblemDetails();
        services.AddExceptionHandler<ApiExceptionHandler>();

        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        services.AddOpenApi(options => options.AddExamContract());
        builder.AddExamTelemetry();
        builder.AddAdminApi();
        builder.AddHistory();
        return builder;
    }

    /// <summary>Maps the teacher endpoints, the operator endpoints and the health endpoints.</summary>
    public static IEndpointRouteBuilder MapExamApi(this IEndpointRouteBuilder routes)
    {
        routes.MapAuthApi();
        routes.MapExamsApi();
        routes.MapAttemptsApi();
        routes.MapAdminApi();
        routes.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        routes.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
        routes.MapExamMetrics();
        return routes;
    }

    /// <summary>The request pipeline pieces the API needs ahead of routing.</summary>
    public static IApplicationBuilder UseExamApi(this IApplicationBuilder app)
    {
        var options = app.ApplicationServices.GetRequiredService<IOptions<ExamApiOptions>>().Value;
        // The signing key now rather than at the first login: a key file that is refused stops the
        // start with its fix, and the log says at once which key source is in force.
        app.ApplicationServices.GetRequiredService<TokenService>();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseApiBodySizeLimit(options.MaxRequestBodyBytes);
        app.UseRouting();
        app.UseAdmissionGate();
        app.UseRouteActivityNames();
        return app;
    }
}
