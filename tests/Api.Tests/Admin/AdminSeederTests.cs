using System.Buffers.Binary;
using System.Collections.Concurrent;
using ExamConsole.Data.Admin;
using ExamConsole.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ExamConsole.Api.Tests.Admin;

[Collection(ApiCollection.Name)]
public sealed class AdminSeederTests(ApiFixture fixture)
{
    [Theory]
    [InlineData("admin", "operator")]
    [InlineData("viewer", "viewer")]
    public async Task InitialAccount_IsStoredWithItsRoleAndAnIdentityV3HashOf100000Iterations(string username, string role)
    {
        var storedRole = await fixture.Data.ScalarAsync<string>("SELECT role FROM admin_accounts WHERE username = @u", ("u", username));
        var hash = await fixture.Data.ScalarAsync<string>("SELECT password_hash FROM admin_accounts WHERE username = @u", ("u", username));

        Assert.Equal(role, storedRole);
        // Identity V3: format marker 0x01, then PRF, iteration count and salt length as big-endian uint32.
        var bytes = Convert.FromBase64String(hash!);
        Assert.Equal(0x01, bytes[0]);
        Assert.Equal(100_000u, BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(5, 4)));
    }

    [Fact]
    public async Task EnsureAccounts_WhenAdminExists_KeepsItsPassword()
    {
        var hashBefore = await fixture.Data.ScalarAsync<string>("SELECT password_hash FROM admin_accounts WHERE username = 'admin'");
        var logs = new CapturingLoggerProvider();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var seeder = ActivatorUtilities.CreateInstance<AdminSeeder>(
            fixture.Factory.Services,
            Options.Create(new AdminOptions { InitialPassword = "a-different-password-altogether" }),
            loggers.CreateLogger<AdminSeeder>());

        await seeder.EnsureAccountsAsync();

        Assert.Equal(hashBefore, await fixture.Data.ScalarAsync<string>("SELECT password_hash FROM admin_accounts WHERE username = 'admin'"));
        Assert.Contains(logs.Messages, m => m.Contains("exists already", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_WithNoInitialPasswordAndNoOperator_WarnsHowToCreateOne()
    {
        var database = "noadmin_" + Guid.NewGuid().ToString("N")[..8];
        var connectionString = await fixture.Postgres.CreateDatabaseAsync(database);
        var logs = new CapturingLoggerProvider();
        // Disposing the factory disposes the host derived from it too.
        await using var factory = new ExamHostFactory(connectionString);
        factory.Settings["Admin:InitialPassword"] = "";
        factory.Settings["Admin:InitialViewerPassword"] = "";
        var host = factory.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<ILoggerProvider>(logs)));

        _ = host.Server;

        var warning = Assert.Single(logs.Messages, m => m.Contains("No operator account exists", StringComparison.Ordinal));
        Assert.Contains("Admin__InitialPassword", warning, StringComparison.Ordinal);
        Assert.Equal(0L, await ScalarAsync<long>(connectionString, "SELECT count(*) FROM admin_accounts"));
    }

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Keeps every message logged at Information or above.</summary>
    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _messages = new();

        public IReadOnlyCollection<string> Messages => _messages;

        public ILogger CreateLogger(string categoryName) => new Logger(_messages);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> messages) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                {
                    messages.Enqueue(formatter(state, exception));
                }
            }
        }
    }
}
