using ExamConsole.Data.Telemetry;
using ExamConsole.Data.Telemetry.Readiness;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ExamConsole.Data;

public static class TelemetryExtensions
{
    /// <summary>
    /// Registers the rest of the server telemetry: the slow-command log and its listener, and the
    /// readiness checklist. Needs <see cref="Extensions.AddExamData"/> (the main pool, and the telemetry
    /// pool with the server view and the one server sampler) and an <see cref="IMetricsEndpointProbe"/>
    /// from the host side (the API's AddExamTelemetry registers one).
    /// </summary>
    public static IHostApplicationBuilder AddServerTelemetry(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<IValidateOptions<ReadinessOptions>, ReadinessOptionsValidator>();
        services.AddOptions<ReadinessOptions>().BindConfiguration(ReadinessOptions.SectionName).ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();

        services.AddSingleton(sp => new SlowCommandLog(sp.GetRequiredService<IOptions<ServerTelemetryOptions>>().Value.SlowCommandCapacity));
        services.AddSingleton<SlowCommandRecorder>();
        services.AddHostedService(sp => sp.GetRequiredService<SlowCommandRecorder>());

        services.AddSingleton<ReadinessService>();
        return builder;
    }
}
