using ExamConsole.Data.Admin;
using ExamConsole.Data.History;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ExamConsole.Api.History;

public static class HistoryExtensions
{
    /// <summary>The node's history: the route recorder, the sampler and writer, the store and reader, the report's targets.</summary>
    public static IHostApplicationBuilder AddHistory(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<IValidateOptions<HistoryOptions>, HistoryOptionsValidator>();
        services.AddOptions<HistoryOptions>().BindConfiguration(HistoryOptions.SectionName).ValidateOnStart();
        services.AddSingleton<HistoryStore>();
        services.AddSingleton<HistoryReader>();
        services.AddSingleton<IAuditRange>(sp => sp.GetRequiredService<AuditLog>());
        services.AddSingleton(sp => new RouteHistogramRecorder(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddSingleton<HistoryRecorder>();
        services.AddHostedService(sp => sp.GetRequiredService<HistoryRecorder>());
        // The console replaces these with its configured Console:Targets.
        services.TryAddSingleton<IResponseTimeTargets, ResponseTimeTargets>();
        services.Configure<JsonOptions>(options => options.SerializerOptions.TypeInfoResolverChain.Insert(0, HistoryJsonContext.Default));
        return builder;
    }
}
