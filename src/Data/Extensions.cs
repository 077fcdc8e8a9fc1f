using ExamConsole.Data.Admin;
using ExamConsole.Data.Bouncer;
using ExamConsole.Data.Fleet;
using ExamConsole.Data.Maintenance;
using ExamConsole.Data.Pool;
using ExamConsole.Data.Seeding;
using ExamConsole.Data.Stores;
using ExamConsole.Data.Telemetry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ExamConsole.Data;

public static class Extensions
{
    public const string ConnectionStringName = "Exam";

    public static IHostApplicationBuilder AddExamData(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<IValidateOptions<PoolSettings>, PoolSettingsValidator>();
        services.AddOptions<PoolSettings>().BindConfiguration(PoolSettings.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SeedOptions>, SeedOptionsValidator>();
        services.AddOptions<SeedOptions>().BindConfiguration(SeedOptions.SectionName).ValidateOnStart();
        // A switch has no range to check; ValidateOnStart still makes a value that is not true or false stop the start.
        services.AddSingleton<IValidateOptions<DatabaseOptions>, DatabaseOptionsValidator>();
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AdminOptions>, AdminOptionsValidator>();
        services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PgBouncerOptions>, PgBouncerOptionsValidator>();
        services.AddOptions<PgBouncerOptions>().BindConfiguration(PgBouncerOptions.SectionName).ValidateOnStart();
        services.TryAddTimeProvider();

        services.AddSingleton(sp =>
        {
            // The listener must exist before the first data source, so that no Npgsql measurement is missed.
            sp.GetRequiredService<NpgsqlPoolMetrics>();
            var connectionString = sp.GetRequiredService<IConfiguration>().GetConnectionString(ConnectionStringName);
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                throw new InvalidOperationException(
                    $"ConnectionStrings:{ConnectionStringName} is not set. Set ConnectionStrings__{ConnectionStringName}, or start through ./run.sh, which starts a local PostgreSQL.");
            }
            var route = DatabaseRoute.For(connectionString, sp.GetRequiredService<IOptions<PgBouncerOptions>>().Value);
            return new ExamDataSource(route, sp.GetRequiredService<IOptions<PoolSettings>>().Value, sp.GetRequiredService<ILoggerFactory>());
        });
        services.AddSingleton(sp => sp.GetRequiredService<ExamDataSource>().Route);
        services.AddSingleton<BouncerReader>();
        services.AddSingleton<BouncerSampler>();
        services.AddSingleton<IBouncerFigures>(sp => sp.GetRequiredService<BouncerSampler>());
        services.AddHostedService(sp => sp.GetRequiredService<BouncerSampler>());

        // No connection here: every context gets one from the pool's current generation (see ExamDb).
        services.AddPooledDbContextFactory<ExamDbContext>(options => ConfigureContext(options));
        services.AddMetrics();
        services.AddSingleton<NpgsqlPoolMetrics>();
        services.AddSingleton<PoolMeters>();
        services.AddSingleton<IProcessMemory, ProcessMemory>();
        // The one sampler of the server's figures: the engine's server limit and snapshot read it, so it
        // belongs to the data side (AddServerTelemetry adds the operators' views over the same pool).
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ServerTelemetryOptions>, ServerTelemetryOptionsValidator>());
        services.AddOptions<ServerTelemetryOptions>().BindConfiguration(ServerTelemetryOptions.SectionName).ValidateOnStart();
        services.AddSingleton<TelemetryDataSource>();
        services.AddSingleton<ServerView>();
        services.AddSingleton<IBackendSignals>(sp => sp.GetRequiredService<ServerView>());
        services.AddSingleton<ServerStatsCache>();
        services.AddSingleton<ServerSampler>();
        services.AddSingleton<IServerSampler>(sp => sp.GetRequiredService<ServerSampler>());
        services.AddHostedService(sp => sp.GetRequiredService<ServerSampler>());
        services.AddSingleton<PoolEngine>();
        services.AddSingleton<IPoolEngine>(sp => sp.GetRequiredService<PoolEngine>());
        services.AddSingleton<ILeaseWatch>(sp => sp.GetRequiredService<PoolEngine>());
        services.AddHostedService<PoolEngineService>();
        services.AddSingleton<ExamDb>();
        services.AddSingleton<AttemptStore>();
        services.AddSingleton<SubmissionStore>();
        services.AddSingleton<TeacherStore>();
        services.AddSingleton<TeacherPasswords>();
        services.AddSingleton<MaintenanceDatabase>();
        services.AddSingleton<DemoSeeder>();
        services.AddSingleton<AdminPasswords>();
        services.AddSingleton<AdminAccounts>();
        services.AddSingleton<AdminSeeder>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<IAuditLog>(sp => sp.GetRequiredService<AuditLog>());
        services.AddSingleton<DatabaseInitializer>();
        services.AddSingleton<IValidateOptions<FleetOptions>, FleetOptionsValidator>();
        services.AddOptions<FleetOptions>().BindConfiguration(FleetOptions.SectionName).ValidateOnStart();
        services.AddSingleton<FleetStore>();
        services.AddSingleton<FleetListener>();
        return builder;
    }

    public static DbContextOptionsBuilder ConfigureContext(DbContextOptionsBuilder options) =>
        options.UseNpgsql().UseSnakeCaseNamingConvention();

    private static void TryAddTimeProvider(this IServiceCollection services)
    {
        if (!services.Any(d => d.ServiceType == typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
    }
}
