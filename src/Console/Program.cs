using System.Runtime.InteropServices;
using ExamConsole.Api;
using ExamConsole.Console;
using ExamConsole.Console.Auth;
using ExamConsole.Console.Hosting;
using ExamConsole.Data;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;

// `postgres`: only the local cluster, shared by the nodes of a local fleet (scripts/fleet.sh).
if (args is [PostgresCommand.Verb, ..])
{
    return await PostgresCommand.RunAsync(args[1..]);
}

var builder = WebApplication.CreateBuilder(args);

// With no ConnectionStrings:Exam configured, start (or reuse) the project's own PostgreSQL under .data/
// (and PgBouncer in front of it with LocalPgBouncer__Enabled=true).
await using var localServers = await LocalDatabase.StartIfUnconfiguredAsync(builder);

builder.AddExamData();
builder.AddServerTelemetry();
builder.AddExamApi();
builder.AddExamConsole();

var app = builder.Build();

app.UseExamApi();
app.UseAuthentication();
app.UseConsoleCookie();
app.UseAuthorization();
app.UseAntiforgery();

app.MapExamApi();
app.MapExamConsole();
app.MapOpenApi();
if (app.Environment.IsDevelopment())
{
    app.MapScalarApiReference();
}

// Every options section is validated at start (ValidateOnStart); the host would do it in RunAsync,
// after the migrations and the seed. Refuse bad settings before the database is touched.
app.Services.GetRequiredService<IStartupValidator>().Validate();

// Schema, first administrators and demo data before the first request. The host's own Ctrl+C and
// SIGTERM handling starts with RunAsync, so until then a signal cancels this work (its transaction
// rolls back) and the host exits, stopping the local cluster it started.
using (var starting = new CancellationTokenSource())
{
    void Stop(PosixSignalContext signal)
    {
        signal.Cancel = true;
        starting.Cancel();
    }

    using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
    using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
    try
    {
        await app.Services.GetRequiredService<DatabaseInitializer>().InitializeAsync(starting.Token);
    }
    catch (OperationCanceledException) when (starting.IsCancellationRequested)
    {
        app.Logger.LogWarning("Stopped while preparing the database; nothing partial was kept.");
        return 1;
    }
}
await app.RunAsync();
return 0;

/// <summary>Entry point, public for WebApplicationFactory.</summary>
public partial class Program;
