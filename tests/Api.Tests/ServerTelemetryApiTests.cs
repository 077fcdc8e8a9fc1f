using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ExamConsole.Api.Admin;
using ExamConsole.Testing;
using Npgsql;

namespace ExamConsole.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class ServerTelemetryApiTests(ApiFixture fixture)
{
    [Theory]
    [InlineData("/api/admin/slow-queries")]
    [InlineData("/api/admin/server")]
    [InlineData("/api/admin/readiness")]
    public async Task ReadEndpoints_WithoutTokenOrAsTeacher_Answer401And403(string path)
    {
        using var anonymous = fixture.Factory.CreateClient();
        using var teacher = await AdminClients.AsAsync(fixture.Factory, "teacher");

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await teacher.GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task SlowQueries_AsViewer_AnswersStatementsAndRecentCommands()
    {
        using var viewer = await AdminClients.AsAsync(fixture.Factory, AdminPolicies.ViewerRole);

        var response = await viewer.GetAsync("/api/admin/slow-queries");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = body.RootElement;
        Assert.True(root.GetProperty("statementsAvailable").GetBoolean());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("advice").ValueKind);
        var statements = root.GetProperty("statements").EnumerateArray().ToList();
        Assert.NotEmpty(statements);
        Assert.All(statements, s =>
        {
            Assert.False(string.IsNullOrEmpty(s.GetProperty("query").GetString()));
            Assert.True(s.GetProperty("calls").GetInt64() >= 1);
            Assert.True(s.GetProperty("totalMs").GetDouble() >= s.GetProperty("meanMs").GetDouble());
        });
        Assert.Equal(JsonValueKind.Array, root.GetProperty("recent").ValueKind);
        Assert.Equal(100, root.GetProperty("slowThresholdMs").GetDouble());
    }

    [Fact]
    public async Task SlowQueries_SortedByCallsWithALimit_ListsAtMostThatManyMostCalledFirst()
    {
        using var viewer = await AdminClients.AsAsync(fixture.Factory, AdminPolicies.ViewerRole);

        var body = await viewer.GetFromJsonAsync<SlowQueriesResponse>("/api/admin/slow-queries?sort=calls&limit=3");

        Assert.Equal("calls", body!.Sort);
        Assert.Equal(3, body.Statements.Count);
        Assert.Equal(body.Statements.Select(s => s.Calls).OrderDescending(), body.Statements.Select(s => s.Calls));
    }

    [Theory]
    [InlineData("sort=slowest", "sort")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=101", "limit")]
    public async Task SlowQueries_WithASortOrLimitOutsideTheRange_Answers400NamingIt(string query, string field)
    {
        using var viewer = await AdminClients.AsAsync(fixture.Factory, AdminPolicies.ViewerRole);

        var response = await viewer.GetAsync($"/api/admin/slow-queries?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task SlowQueries_CommandsRunDuringARequest_AreLoggedWithTheRouteAsSource()
    {
        // A host of its own that logs every command, on the same database.
        await using var host = new ExamHostFactory(fixture.ConnectionString);
        host.Settings["ServerTelemetry:SlowCommandThreshold"] = "00:00:00";
        var teacher = await fixture.Data.CreateTeacherAsync();
        using var client = host.CreateClient();

        var login = await client.PostAsJsonAsync("/api/auth/login", new { teacherCode = teacher.Code, password = teacher.Password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);

        using var viewer = await AdminClients.AsAsync(host, AdminPolicies.ViewerRole);
        var body = await viewer.GetFromJsonAsync<SlowQueriesResponse>("/api/admin/slow-queries?limit=100");
        var command = Assert.Single(body!.Recent, c => c.Source == "POST /api/auth/login");
        Assert.Contains("FROM teachers", command.Command);
        Assert.True(command.DurationMs >= 0);
        Assert.True(body.SlowCommandsTotal >= body.Recent.Count);
    }

    [Fact]
    public async Task Server_AsViewer_ShowsMaxConnectionsAndAnIdleInTransactionBackend()
    {
        using var viewer = await AdminClients.AsAsync(fixture.Factory, AdminPolicies.ViewerRole);
        await using var open = new NpgsqlConnection(fixture.ConnectionString);
        await open.OpenAsync();
        await using var transaction = await open.BeginTransactionAsync();
        await using (var select = new NpgsqlCommand("SELECT 1", open, transaction))
        {
            await select.ExecuteScalarAsync();
        }

        var body = await Eventually.UntilAsync(
            async () => (await viewer.GetFromJsonAsync<ServerResponse>("/api/admin/server"))!,
            s => s.Backends.IdleInTransaction >= 1,
            "the open transaction shows as idle in transaction");

        Assert.Equal(200, body.MaxConnections);
        Assert.True(body.Backends.Total >= body.Backends.IdleInTransaction + body.Backends.Idle + body.Backends.Active + body.Backends.Waiting);
        Assert.Equal(5000, body.LongRunningThresholdMs);
        Assert.NotNull(body.LongRunning);
    }

    [Fact]
    public async Task Cancel_AsOperator_EndsTheBackendsQuery_AndAViewerMayNot()
    {
        await using var sleeper = new NpgsqlConnection(fixture.ConnectionString);
        await sleeper.OpenAsync();
        // The backend is found by its query, not by the connection's ProcessID: behind PgBouncer (the
        // suite's second pass) that is PgBouncer's key for the client, and the query runs on whichever
        // backend PgBouncer lends it.
        var marker = "sleeper_" + Guid.NewGuid().ToString("N");
        await using var sleep = new NpgsqlCommand($"SELECT pg_sleep(30) AS {marker}", sleeper) { CommandTimeout = 60 };
        var sleeping = sleep.ExecuteNonQueryAsync();
        // A cancel reaching the backend before its query does is a no-op: wait until the server runs it
        // (seen on a loaded machine, where the 30 s sleep then outlived the test's bound).
        var pid = await Eventually.UntilAsync(() => ActivePidAsync(marker), p => p is not null, "the sleeping query is active on the server");
        using var viewer = await AdminClients.AsAsync(fixture.Factory, AdminPolicies.ViewerRole);
        using var operatorClient = await AdminClients.AsAsync(fixture.Factory, AdminPolicies.OperatorRole);
        var path = $"/api/admin/server/backends/{pid}/cancel";

        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync(path, null)).StatusCode);
        var response = await operatorClient.PostAsync(path, null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<BackendSignalResponse>();
        Assert.Equal(new BackendSignalResponse(pid!.Value, "cancel", true), body);
        var canceled = await Assert.ThrowsAsync<PostgresException>(() => Eventually.WithinAsync(sleeping, "the canceled sleep ends"));
        Assert.Equal(PostgresErrorCodes.QueryCanceled, canceled.SqlState);
    }

    private async Task<int?> ActivePidAsync(string marker)
    {
        await using var observer = new NpgsqlConnection(fixture.ConnectionString);
        await observer.OpenAsync();
        await using var query = new NpgsqlCommand(
            "SELECT pid FROM pg_stat_activity WHERE state = 'active' AND query LIKE 'SELECT pg_sleep(30) AS ' || @marker AND pid <> pg_backend_pid()", observer);
        query.Parameters.AddWithValue("marker", marker);
        return await query.ExecuteScalarAsync() as int?;
    }

    [Fact]
    public async Task CancelAndTerminate_OfAPidThatIsNoBackendOfThisDatabase_Answer404()
    {
        using var operatorClient = await AdminClients.AsAsync(fixture.Factory, AdminPolicies.OperatorRole);
        var elsewhere = new NpgsqlConnectionStringBuilder(fixture.ConnectionString) { Database = "postgres" };
        await using var other = new NpgsqlConnection(elsewhere.ConnectionString);
        await other.OpenAsync();

        foreach (var pid in new[] { 1, other.ProcessID })
        {
            foreach (var action in new[] { "cancel", "terminate" })
            {
                var response = await operatorClient.PostAsync($"/api/admin/server/backends/{pid}/{action}", null);
                Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        }
        await using var stillThere = new NpgsqlCommand("SELECT 1", other);
        Assert.Equal(1, await stillThere.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Readiness_AsViewer_ListsEveryCheckWithActualExpectedAndAdvice()
    {
        using var viewer = await AdminClients.AsAsync(fixture.Factory, AdminPolicies.ViewerRole);

        var response = await viewer.GetAsync("/api/admin/readiness");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<ReadinessResponse>())!;
        string[] direct = ["max_connections", "open_files", "memory", "cpu_cores", "shared_buffers", "effective_cache_size", "work_mem", "maintenance_work_mem", "statement_timeout", "metrics"];
        // Through PgBouncer (the suite's second pass) its limits are checked after the rest.
        Assert.Equal(
            fixture.Postgres.Bouncer is null ? direct : [.. direct, "pgbouncer_max_client_conn", "pgbouncer_pool_mode", "pgbouncer_server_lifetime"],
            body.Checks.Select(c => c.Name));
        Assert.All(body.Checks, c =>
        {
            Assert.False(string.IsNullOrWhiteSpace(c.Actual), c.Name);
            Assert.False(string.IsNullOrWhiteSpace(c.Expected), c.Name);
            Assert.Equal(c.Ok, c.Advice is null);
        });
        // The test cluster allows 200 connections; the test host's pool (40, or what a resize test left) plus its reserve of 20 fits.
        var maxConnections = Assert.Single(body.Checks, c => c.Name == "max_connections");
        Assert.True(maxConnections.Ok);
        Assert.Equal("200", maxConnections.Actual);
        Assert.Contains("Pool:ServerReserve 20", maxConnections.Expected);
        Assert.True(Assert.Single(body.Checks, c => c.Name == "statement_timeout").Ok);
        Assert.False(body.Ready);
    }
}
