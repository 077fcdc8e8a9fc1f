using ExamConsole.Console.Auth;
using ExamConsole.Console.Components;
using ExamConsole.Console.Model;
using ExamConsole.Data.Pool;
using Microsoft.Extensions.Options;
using MudBlazor.Services;

namespace ExamConsole.Console;

public static class ConsoleExtensions
{
    /// <summary>
    /// Registers the console: Blazor Server components, MudBlazor, the cookie sign-in, the live store
    /// and its sampler, the route latency listener, and the small interfaces its pages use.
    /// </summary>
    public static IHostApplicationBuilder AddExamConsole(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<IValidateOptions<ConsoleOptions>, ConsoleOptionsValidator>();
        services.AddOptions<ConsoleOptions>().BindConfiguration(ConsoleOptions.SectionName).ValidateOnStart();
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
        builder.AddConsoleAuth();

        services.AddSingleton(sp => new RouteLatencyRecorder(
            sp.GetRequiredService<IOptions<ConsoleOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        // The fleet's heartbeat carries this node's request rate and p99 per route from the same recorder.
        services.AddSingleton<ExamConsole.Api.Fleet.IRouteFigures, RouteFigures>();
        services.AddSingleton<ExamConsole.Api.History.IResponseTimeTargets, ConsoleTargets>();
        services.AddSingleton(sp => new ConsoleStore(
            sp.GetRequiredService<IOptions<ConsoleOptions>>().Value.HistoryCapacity,
            sp.GetRequiredService<IOptions<PoolSettings>>().Value.Bands,
            sp.GetRequiredService<ILogger<ConsoleStore>>()));
        services.AddSingleton<IConsoleFeed>(sp => sp.GetRequiredService<ConsoleStore>());
        services.AddSingleton<ISampleSource, LiveSampleSource>();
        services.AddHostedService<ConsoleSampler>();

        services.AddSingleton<IOperatorControls, OperatorControls>();
        services.AddSingleton<IPlaybookSteps, PlaybookSteps>();
        services.AddSingleton<IServerInsight, ServerInsight>();
        services.AddSingleton<ILeakWatch, LeakWatch>();
        services.AddSingleton<IReadinessChecks, ReadinessChecks>();
        services.AddSingleton<IAuditTrail, AuditTrail>();
        services.AddSingleton<IFleetView, FleetView>();
        services.AddSingleton<IHistoryView, HistoryView>();
        services.AddScoped<DisplayPreferences>();
        return builder;
    }

    /// <summary>Maps the console's pages, its Blazor hub and its sign-out.</summary>
    public static WebApplication MapExamConsole(this WebApplication app)
    {
        // The listener must hear requests from the first one on, not from the first page view.
        app.Services.GetRequiredService<RouteLatencyRecorder>();
        app.MapStaticAssets();
        app.MapConsoleAuth();
        app.MapReportExport();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }
}
