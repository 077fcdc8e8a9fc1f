using ExamConsole.Data.Bouncer;
using ExamConsole.Data.Pool;
using ExamConsole.Data.Telemetry.Readiness;
using Npgsql;

namespace ExamConsole.Data.Tests;

public sealed class BouncerRouteTests
{
    private const string Main = "Host=127.0.0.1;Port=6432;Username=exam_app;Password=secret;Database=exam";

    [Fact]
    public void Direct_SendsTheStatementTimeoutAsAStartupOption_AndKeepsSessionsOnTheMainDatabase()
    {
        var route = DatabaseRoute.For(Main, new PgBouncerOptions());

        var csb = ExamDataSource.BuildConnectionString(route, new PoolSettings());

        Assert.False(route.ThroughBouncer);
        Assert.Equal("-c statement_timeout=8000", csb.Options);
        Assert.False(csb.NoResetOnClose);
        Assert.Equal(Main, route.SessionConnectionString);
        Assert.Null(route.BouncerAdminConnectionString);
    }

    [Fact]
    public void ThroughPgBouncer_NoStartupOption_NoResetNoPrepare_SessionsOnTheSessionDatabase_AdminOnItsConsole()
    {
        var route = DatabaseRoute.For(Main + ";Options=-c search_path=exam", new PgBouncerOptions { Enabled = true });

        var csb = ExamDataSource.BuildConnectionString(route, new PoolSettings());

        Assert.True(route.ThroughBouncer);
        // What the connection string said is kept; the timeout is not added (PgBouncer refuses options: the role carries it).
        Assert.Equal("-c search_path=exam", csb.Options);
        Assert.True(csb.NoResetOnClose);
        Assert.Equal(0, csb.MaxAutoPrepare);
        var session = new NpgsqlConnectionStringBuilder(route.SessionConnectionString);
        Assert.Equal("exam_session", session.Database);
        Assert.Equal("secret", session.Password);
        var admin = new NpgsqlConnectionStringBuilder(route.BouncerAdminConnectionString);
        Assert.Equal("pgbouncer", admin.Database);
        Assert.Equal(6432, admin.Port);
        Assert.Equal("exam_app", admin.Username);
    }

    [Fact]
    public void SessionDatabase_CanBeNamed()
    {
        var route = DatabaseRoute.For(Main, new PgBouncerOptions { Enabled = true, SessionDatabase = "exam_listen" });

        Assert.Equal("exam_listen", new NpgsqlConnectionStringBuilder(route.SessionConnectionString).Database);
    }

    [Theory]
    [InlineData("8000", 8000L)]
    [InlineData("8s", 8000L)]
    [InlineData("1min", 60000L)]
    [InlineData("'250ms'", 250L)]
    [InlineData("soon", null)]
    public void RoleSetting_ReadsPostgresUnits(string value, long? expected) =>
        Assert.Equal(expected, RoleStatementTimeout.ToMilliseconds(value));

    private static BouncerLimits Limits(int maxClients = 8200, int lifetime = 3600, int backends = 220) =>
        new(maxClients, 180, 20, 0, lifetime, 30, "transaction", backends);

    [Fact]
    public void MaxClientConn_MustCoverTheFleetsBudgetAndEachNodesSidePools()
    {
        Assert.True(BouncerReadinessChecks.MaxClients(Limits(8200), 8000, 3, 5).Ok);
        var tooFew = BouncerReadinessChecks.MaxClients(Limits(8000), 8000, 3, 5);
        Assert.False(tooFew.Ok);
        Assert.Contains(">= 8015", tooFew.Expected);
        Assert.Contains("max_client_conn = 8015", tooFew.Advice);
    }

    [Fact]
    public void MaxConnections_BehindPgBouncer_CountsItsBackendsNotThePoolsClients()
    {
        var pool = new PoolSettings { MaxSize = 8000, ServerReserve = 200 };

        Assert.True(BouncerReadinessChecks.MaxConnections(420, Limits(backends: 220), pool).Ok);
        var check = BouncerReadinessChecks.MaxConnections(400, Limits(backends: 220), pool);
        Assert.False(check.Ok);
        Assert.Contains("max_connections = 420", check.Advice);
    }

    [Fact]
    public void PoolModeAndServerLifetime_AreChecked()
    {
        Assert.True(BouncerReadinessChecks.Mode(Limits(), "transaction").Ok);
        Assert.False(BouncerReadinessChecks.Mode(Limits(), "session").Ok);
        Assert.True(BouncerReadinessChecks.Lifetime(Limits(lifetime: 3600), new PoolSettings()).Ok);
        Assert.False(BouncerReadinessChecks.Lifetime(Limits(lifetime: 0), new PoolSettings()).Ok);
    }
}
