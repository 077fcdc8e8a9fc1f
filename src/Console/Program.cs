using ExamConsole.Api;
using ExamConsole.Console;
using ExamConsole.Console.Auth;
using ExamConsole.Console.Hosting;
using ExamConsole.Data;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;

var builder = WebApplication.CreateBuilder(args);

// With no ConnectionStrings:Exam configured, start (or reuse) the project's own PostgreSQL under .data/.
await using var localPostgres = await LocalDatabase.StartIfUnconfiguredAsync(builder);

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
await app.Services.GetRequiredService<DatabaseInitializer>().InitializeAsync(app.Lifetime.ApplicationStopping);
await app.RunAsync();

/// <summary>Entry point, public for WebApplicationFactory.</summary>
public partial class Program;
