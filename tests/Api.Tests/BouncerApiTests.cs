using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ExamConsole.Api.Admin;
using ExamConsole.Data.Bouncer;
using ExamConsole.Testing;
using Npgsql;

namespace ExamConsole.Api.Tests;

/// <summary>
/// What the node says of PgBouncer: nothing when direct (the suite's first pass), PgBouncer's own
/// figures and limits when it is in the path (the second pass, EXAMCONSOLE_TEST_PGBOUNCER=1).
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class BouncerApiTests(ApiFixture fixture)
{
    [Fact]
    public async Task Server_ShowsPgBouncersFiguresWhenInThePath_NullWhenDirect()
    {
        using var viewer = await AdminClients.AsAsync(fixture.Factory, AdminPolicies.ViewerRole);

        var response = await viewer.GetAsync("/api/admin/server");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var bouncer = body.RootElement.GetProperty("bouncer");
        if (fixture.Postgres.Bouncer is null)
        {
            Assert.Equal(JsonValueKind.Null, bouncer.ValueKind);
            return;
        }
        Assert.True(bouncer.GetProperty("reachable").GetBoolean());
        Assert.Equal(JsonValueKind.Null, bouncer.GetProperty("error").ValueKind);
        Assert.Equal("exam", bouncer.GetProperty("database").GetString());
        Assert.Equal("transaction", bouncer.GetProperty("poolMode").GetString());
        // The node's pool keeps connections open to PgBouncer; PgBouncer lends backends only per transaction.
        Assert.True(bouncer.GetProperty("clientActive").GetInt32() >= 1);
        Assert.True(bouncer.GetProperty("clientWaiting").GetInt32() >= 0);
        Assert.True(bouncer.GetProperty("serverActive").GetInt32() + bouncer.GetProperty("serverIdle").GetInt32() >= 0);
        Assert.True(bouncer.GetProperty("maxWaitMs").GetDouble() >= 0);
        Assert.Equal(2000, bouncer.GetProperty("maxClientConnections").GetInt32());
        var expectedBackends = fixture.Postgres.Bouncer is { } b ? await BackendsDeclaredAsync(b.ConnectionStringFor("pgbouncer")) : 0;
        Assert.Equal(expectedBackends, bouncer.GetProperty("serverBackends").GetInt32());
    }

    [Fact]
    public async Task Readiness_ThroughPgBouncer_ChecksItsLimitsAgainstTheFleetAndTheServer()
    {
        using var viewer = await AdminClients.AsAsync(fixture.Factory, AdminPolicies.ViewerRole);

        var body = (await viewer.GetFromJsonAsync<ReadinessResponse>("/api/admin/readiness"))!;

        var names = body.Checks.Select(c => c.Name).ToList();
        if (fixture.Postgres.Bouncer is null)
        {
            Assert.DoesNotContain(names, n => n.StartsWith("pgbouncer_", StringComparison.Ordinal));
            return;
        }
        var clients = Assert.Single(body.Checks, c => c.Name == "pgbouncer_max_client_conn");
        Assert.True(clients.Ok, clients.Expected);
        Assert.Equal("2000", clients.Actual);
        Assert.True(Assert.Single(body.Checks, c => c.Name == "pgbouncer_pool_mode").Ok);
        Assert.Equal("3600 s", Assert.Single(body.Checks, c => c.Name == "pgbouncer_server_lifetime").Actual);
        var maxConnections = Assert.Single(body.Checks, c => c.Name == "max_connections");
        Assert.True(maxConnections.Ok);
        Assert.Contains("PgBouncer's pool_size + reserve_pool", maxConnections.Expected);
        // PgBouncer refuses the startup option; the role's setting in the database carries it to every backend.
        var timeout = Assert.Single(body.Checks, c => c.Name == "statement_timeout");
        Assert.True(timeout.Ok, timeout.Actual);
    }

    [Fact]
    public async Task StatementTimeout_ThroughPgBouncer_IsTheRolesSettingInTheDatabase()
    {
        await using var connection = new NpgsqlConnection(fixture.Postgres.Server.ConnectionString);
        await connection.OpenAsync();

        var roleSetting = await RoleStatementTimeout.ReadAsync(connection, CancellationToken.None);

        // Direct, the pool sends it at connection start and the role has none of its own.
        Assert.Equal(fixture.Postgres.Bouncer is null ? null : 8000, roleSetting);
        await using var through = new NpgsqlConnection(fixture.ConnectionString);
        await through.OpenAsync();
        await using var show = new NpgsqlCommand("SHOW statement_timeout", through);
        Assert.Equal(fixture.Postgres.Bouncer is null ? "0" : "8s", await show.ExecuteScalarAsync());
    }

    private static async Task<int> BackendsDeclaredAsync(string adminConnectionString)
    {
        await using var console = await BouncerConsole.ConnectAsync(adminConnectionString, CancellationToken.None);
        var databases = await console.QueryAsync("SHOW DATABASES", CancellationToken.None);
        return databases.Where(d => d["name"] is "exam" or "exam_session").Sum(d => int.Parse(d["pool_size"]!) + int.Parse(d["reserve_pool"]!));
    }
}
