using ExamConsole.Console.Hosting;
using ExamConsole.Data.Bouncer;
using ExamConsole.Testing;
using Npgsql;

namespace ExamConsole.Api.Tests;

/// <summary>
/// The admin-console client against a real PgBouncer with each authentication it speaks: a deployment's
/// PgBouncer asks for md5 or SCRAM-SHA-256, the local one trusts loopback.
/// </summary>
[Trait("Category", "Bouncer")]
public sealed class BouncerConsoleTests : IAsyncLifetime
{
    private TestPostgres _postgres = null!;

    public async Task InitializeAsync() => _postgres = await TestPostgres.StartAsync("bouncer-auth");

    [Theory]
    [InlineData("trust")]
    [InlineData("md5")]
    [InlineData("scram-sha-256")]
    public async Task AdminConsole_AuthenticatesAndReadsPools_WrongPasswordRefused(string authType)
    {
        var bouncer = await LocalPgBouncer.StartAsync(
            new LocalPgBouncerOptions
            {
                Port = 0,
                DataDirectory = $"{_postgres.Server.DataDirectory}-{authType}",
                AuthType = authType,
                Password = "s3cret \"quoted\"",
                PoolSize = 5,
                MaxClientConnections = 50,
            },
            _postgres.Server.Port,
            "exam",
            fleetBudget: 50);
        try
        {
            var admin = new NpgsqlConnectionStringBuilder(bouncer.ConnectionStringFor("pgbouncer")) { Password = "s3cret \"quoted\"" }.ConnectionString;

            await using (var console = await BouncerConsole.ConnectAsync(admin, CancellationToken.None))
            {
                var version = Assert.Single(await console.QueryAsync("SHOW VERSION", CancellationToken.None));
                Assert.StartsWith("PgBouncer 1.", version["version"]);
                var pools = await console.QueryAsync("SHOW POOLS", CancellationToken.None);
                Assert.Contains(pools, p => p["database"] == "pgbouncer" && p.ContainsKey("cl_waiting") && p.ContainsKey("maxwait_us"));
                var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => console.QueryAsync("SHOW NONSENSE", CancellationToken.None));
                Assert.Contains("SHOW NONSENSE", refused.Message);
                // The connection is still usable after a refused command.
                Assert.NotEmpty(await console.QueryAsync("SHOW CONFIG", CancellationToken.None));
            }
            if (authType != "trust")
            {
                var wrong = new NpgsqlConnectionStringBuilder(admin) { Password = "not-it" }.ConnectionString;
                var error = await Assert.ThrowsAsync<InvalidOperationException>(() => BouncerConsole.ConnectAsync(wrong, CancellationToken.None));
                Assert.Contains("refused", error.Message);
            }
        }
        finally
        {
            await bouncer.DestroyAsync();
        }
    }

    public async Task DisposeAsync() => await _postgres.DisposeAsync();
}
