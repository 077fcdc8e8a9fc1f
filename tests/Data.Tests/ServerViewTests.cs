using ExamConsole.Data.Telemetry;
using ExamConsole.Testing;
using Npgsql;

namespace ExamConsole.Data.Tests;

[Collection(DataCollection.Name)]
public sealed class ServerViewTests(DataFixture fixture)
{
    [Fact]
    public async Task LongRunning_SleepingQueryOnItsOwnConnection_IsListedAndCancelEndsIt()
    {
        var options = new ServerTelemetryOptions { LongRunningThreshold = TimeSpan.FromMilliseconds(300) };
        await using var telemetry = DataFixture.Telemetry(fixture.ConnectionString, options);
        var view = DataFixture.View(telemetry, options);
        await using var sleeper = await fixture.OpenAsync("data-tests-sleeper");
        var pid = sleeper.ProcessID;
        await using var sleep = new NpgsqlCommand("SELECT pg_sleep(30)", sleeper) { CommandTimeout = 60 };
        var sleeping = sleep.ExecuteNonQueryAsync();

        var listed = await Eventually.UntilAsync(
            () => view.LongRunningAsync(null, CancellationToken.None),
            queries => queries.Any(q => q.Pid == pid),
            "the sleeping query is listed as long-running");

        var query = listed.Single(q => q.Pid == pid);
        Assert.Equal("active", query.State);
        Assert.True(query.DurationMs >= 300, $"listed after {query.DurationMs} ms, below the 300 ms threshold");
        Assert.Contains("pg_sleep(30)", query.Query);
        Assert.Equal("data-tests-sleeper", query.ApplicationName);
        Assert.Equal("Timeout: PgSleep", query.WaitEvent);

        Assert.Equal(BackendSignal.Sent, await view.CancelAsync(pid, CancellationToken.None));
        var canceled = await Assert.ThrowsAsync<PostgresException>(() => Eventually.WithinAsync(sleeping, "the canceled sleep ends"));
        Assert.Equal(PostgresErrorCodes.QueryCanceled, canceled.SqlState);
        // Cancel ends the query, not the connection.
        Assert.Equal(1, await DataFixture.ScalarAsync<int>(sleeper, "SELECT 1"));
    }

    [Fact]
    public async Task LongRunning_QueryShorterThanTheThreshold_IsNotListed()
    {
        await using var telemetry = DataFixture.Telemetry(fixture.ConnectionString);
        var view = DataFixture.View(telemetry, new ServerTelemetryOptions { LongRunningThreshold = TimeSpan.FromMinutes(10) });
        await using var sleeper = await fixture.OpenAsync("data-tests-short");
        await using var sleep = new NpgsqlCommand("SELECT pg_sleep(30)", sleeper) { CommandTimeout = 60 };
        var sleeping = sleep.ExecuteNonQueryAsync();
        // The backend is seen active by a query that lists it without a threshold, and left out with the configured one.
        await Eventually.UntilAsync(
            () => view.LongRunningAsync(TimeSpan.Zero, CancellationToken.None),
            queries => queries.Any(q => q.Pid == sleeper.ProcessID),
            "the sleeping query is active");

        Assert.DoesNotContain(await view.LongRunningAsync(null, CancellationToken.None), q => q.Pid == sleeper.ProcessID);

        await view.CancelAsync(sleeper.ProcessID, CancellationToken.None);
        await Assert.ThrowsAsync<PostgresException>(() => Eventually.WithinAsync(sleeping, "the canceled sleep ends"));
    }

    [Fact]
    public async Task Terminate_BackendOfThisDatabase_EndsItsConnection()
    {
        await using var telemetry = DataFixture.Telemetry(fixture.ConnectionString);
        var view = DataFixture.View(telemetry);
        await using var victim = await fixture.OpenAsync("data-tests-victim");
        var pid = victim.ProcessID;

        Assert.Equal(BackendSignal.Sent, await view.TerminateAsync(pid, CancellationToken.None));

        await using var observer = await fixture.OpenAsync("data-tests-observer");
        await Eventually.UntilAsync(
            () => DataFixture.ScalarAsync<long>(observer, $"SELECT count(*) FROM pg_stat_activity WHERE pid = {pid}"),
            n => n == 0,
            "the terminated backend is gone");
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => DataFixture.ScalarAsync<int>(victim, "SELECT 1"));
    }

    [Fact]
    public async Task CancelAndTerminate_PidThatIsNoBackendOfThisDatabase_AreRefused()
    {
        await using var telemetry = DataFixture.Telemetry(fixture.ConnectionString);
        var view = DataFixture.View(telemetry);
        await using var elsewhere = await fixture.OpenAsync("data-tests-elsewhere", database: "postgres");

        // A backend of another database, the machine's init process, and a pid no process has.
        foreach (var pid in new[] { elsewhere.ProcessID, 1, int.MaxValue })
        {
            Assert.Equal(BackendSignal.NotABackend, await view.CancelAsync(pid, CancellationToken.None));
            Assert.Equal(BackendSignal.NotABackend, await view.TerminateAsync(pid, CancellationToken.None));
        }
        Assert.Equal(1, await DataFixture.ScalarAsync<int>(elsewhere, "SELECT 1"));
    }

    [Fact]
    public async Task ReadStats_IdleInTransactionConnection_IsCountedAndLeavesWhenItEnds()
    {
        await using var telemetry = DataFixture.Telemetry(fixture.ConnectionString);
        var view = DataFixture.View(telemetry);
        var before = await view.ReadStatsAsync(CancellationToken.None);
        Assert.Equal(DataFixture.MaxConnections, before.MaxConnections);

        await using (var open = await fixture.OpenAsync("data-tests-idle-in-transaction"))
        {
            await using var transaction = await open.BeginTransactionAsync();
            await DataFixture.ScalarAsync<int>(open, "SELECT 1");

            var during = await Eventually.UntilAsync(
                () => view.ReadStatsAsync(CancellationToken.None),
                s => s.IdleInTransaction == before.IdleInTransaction + 1,
                "the open transaction is counted as idle in transaction");
            Assert.True(during.Total >= during.Active + during.Idle + during.IdleInTransaction + during.Waiting);
        }

        await Eventually.UntilAsync(
            () => view.ReadStatsAsync(CancellationToken.None),
            s => s.IdleInTransaction == before.IdleInTransaction,
            "the closed transaction is no longer counted");
    }

    [Fact]
    public async Task ReadStats_BackendWaitingForALock_CountsAsWaitingNotActive()
    {
        await using var telemetry = DataFixture.Telemetry(fixture.ConnectionString);
        var view = DataFixture.View(telemetry);
        var table = $"lock_probe_{Guid.NewGuid():N}";
        await using var holder = await fixture.OpenAsync("data-tests-lock-holder");
        await DataFixture.ScalarAsync<int>(holder, $"CREATE TABLE {table} (id int)");
        var before = await view.ReadStatsAsync(CancellationToken.None);

        await using var transaction = await holder.BeginTransactionAsync();
        await DataFixture.ScalarAsync<int>(holder, $"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE");
        await using var waiter = await fixture.OpenAsync("data-tests-lock-waiter");
        var waiting = DataFixture.ScalarAsync<long>(waiter, $"SELECT count(*) FROM {table}");

        var during = await Eventually.UntilAsync(
            () => view.ReadStatsAsync(CancellationToken.None),
            s => s.Waiting == before.Waiting + 1,
            "the blocked backend is counted as waiting");
        Assert.Equal(before.Active, during.Active);

        await transaction.RollbackAsync();
        Assert.Equal(0, await Eventually.WithinAsync(waiting, "the waiter gets the lock"));
    }

    [Fact]
    public async Task ReadStats_LeavesOutTheTelemetryPoolsBackends_ButCountsTheApplications()
    {
        await using var telemetry = DataFixture.Telemetry(fixture.ConnectionString);
        var view = DataFixture.View(telemetry);
        await using var app = await fixture.OpenAsync("data-tests-app");
        // A second telemetry backend, idle while the view reads on another: only its application name tells it apart.
        await using var held = await telemetry.OpenConnectionAsync(CancellationToken.None);
        const string own = "datname = current_database() AND backend_type = 'client backend'";

        // Eventually: a backend of an earlier test's closed connection may still be on its way out between the two reads.
        var (stats, applications) = await Eventually.UntilAsync(
            async () => (await view.ReadStatsAsync(CancellationToken.None),
                         await DataFixture.ScalarAsync<long>(app, $"SELECT count(*) FROM pg_stat_activity WHERE {own} AND application_name <> '{TelemetryDataSource.ApplicationName}'")),
            r => r.Item1.Total == r.Item2,
            "the view counts exactly the application's backends");

        Assert.True(applications >= 1);
        Assert.True(await DataFixture.ScalarAsync<long>(app, $"SELECT count(*) FROM pg_stat_activity WHERE {own} AND application_name = '{TelemetryDataSource.ApplicationName}'") >= 2);
    }
}
