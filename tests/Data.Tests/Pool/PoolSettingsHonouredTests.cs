using ExamConsole.Data.Pool;
using ExamConsole.Testing;
using Npgsql;

namespace ExamConsole.Data.Tests.Pool;

/// <summary>Each setting of the deployment document, shown to hold on a real PostgreSQL (with small values).</summary>
[Collection(PoolCollection.Name)]
public sealed class PoolSettingsHonouredTests(PoolFixture fixture)
{
    [Fact]
    public async Task MaxSize_WhenAllConnectionsAreLeased_NextLeaseWaitsUntilOneReturns()
    {
        await using var harness = fixture.CreateEngine(s => s.MaxSize = 2);
        var first = await harness.Engine.AcquireAsync("test", CancellationToken.None);
        var second = await harness.Engine.AcquireAsync("test", CancellationToken.None);

        var third = harness.Engine.AcquireAsync("test", CancellationToken.None);
        await Eventually.TrueAsync(() => harness.Engine.Snapshot().Pending == 1, "Npgsql to count one pending request");
        Assert.False(third.IsCompleted);
        Assert.Equal(2, harness.Engine.Snapshot().Busy);

        await first.DisposeAsync();
        await using var got = await third.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(2, (await harness.BackendPidsAsync()).Count);
        await second.DisposeAsync();
    }

    [Fact]
    public async Task AcquireTimeout_WhenPoolStaysExhausted_GivesUpWithAdvice()
    {
        await using var harness = fixture.CreateEngine(s =>
        {
            s.MaxSize = 1;
            s.AcquireTimeout = TimeSpan.FromSeconds(1);
        });
        await using var held = await harness.Engine.AcquireAsync("test", CancellationToken.None);
        var started = DateTime.UtcNow;

        var error = await Assert.ThrowsAsync<PoolExhaustedException>(() => harness.Engine.AcquireAsync("test", CancellationToken.None));

        var waited = DateTime.UtcNow - started;
        Assert.InRange(waited, TimeSpan.FromMilliseconds(900), TimeSpan.FromSeconds(3));
        Assert.Contains("exhausted", error.Message);
        Assert.Contains("Raise Pool:MaxSize (now 1)", error.Message);
        Assert.Equal(1, harness.Engine.Snapshot().TimeoutsTotal);
    }

    [Fact]
    public async Task MinSize_AtStart_WarmsThatManyBackends()
    {
        await using var harness = fixture.CreateEngine(s =>
        {
            s.MaxSize = 10;
            s.MinSize = 4;
        });

        await harness.Engine.WarmAsync(harness.DataSource.Current, CancellationToken.None);

        await harness.WaitForBackendsAsync(n => n == 4, TimeSpan.FromSeconds(5), "4");
        Assert.Equal(4, harness.Engine.Snapshot().Open);
    }

    [Fact]
    public async Task IdleTimeout_AfterABurst_ClosesIdleConnectionsDownToMin()
    {
        await using var harness = fixture.CreateEngine(s =>
        {
            s.MaxSize = 10;
            s.MinSize = 1;
            s.IdleTimeout = TimeSpan.FromSeconds(2);
        });
        var leases = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => harness.Engine.AcquireAsync("burst", CancellationToken.None)));
        foreach (var lease in leases)
        {
            await lease.DisposeAsync();
        }
        Assert.Equal(6, (await harness.BackendPidsAsync()).Count);

        await harness.WaitForBackendsAsync(n => n == 1, TimeSpan.FromSeconds(20), "1 (the minimum)");
    }

    [Fact]
    public async Task MaxUses_AfterThatManyLeases_ReplacesTheBackend()
    {
        await using var harness = fixture.CreateEngine(s =>
        {
            s.MaxSize = 1;
            s.MaxUses = 3;
        });
        var pids = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            await using var lease = await harness.Engine.AcquireAsync("uses", CancellationToken.None);
            await using var command = new NpgsqlCommand("SELECT pg_backend_pid()", lease.Connection);
            pids.Add((int)(await command.ExecuteScalarAsync())!);
        }

        Assert.Equal(pids[0], pids[1]);
        Assert.Equal(pids[0], pids[2]);
        Assert.NotEqual(pids[0], pids[3]);
        Assert.Equal(1, harness.Engine.Snapshot().RecycledTotal);
        await harness.WaitForBackendsAsync(n => n == 1, TimeSpan.FromSeconds(5), "1");
    }

    [Fact]
    public async Task StatementTimeout_LongerStatement_IsCancelledByTheServer()
    {
        await using var harness = fixture.CreateEngine(s =>
        {
            s.StatementTimeout = TimeSpan.FromMilliseconds(300);
            s.QueryTimeout = TimeSpan.FromSeconds(5);
        });
        await using var lease = await harness.Engine.AcquireAsync("test", CancellationToken.None);
        await using var command = new NpgsqlCommand("SELECT pg_sleep(3)", lease.Connection);

        var error = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteScalarAsync());

        Assert.Equal(PostgresErrorCodes.QueryCanceled, error.SqlState);
        Assert.Contains("statement timeout", error.MessageText);
    }

    [Fact]
    public async Task QueryTimeout_LongerCommand_ClientGivesUp()
    {
        await using var harness = fixture.CreateEngine(s =>
        {
            s.StatementTimeout = TimeSpan.FromSeconds(30);
            s.QueryTimeout = TimeSpan.FromSeconds(1);
        });
        await using var lease = await harness.Engine.AcquireAsync("test", CancellationToken.None);
        await using var command = new NpgsqlCommand("SELECT pg_sleep(4)", lease.Connection);
        var started = DateTime.UtcNow;

        var error = await Assert.ThrowsAsync<NpgsqlException>(() => command.ExecuteScalarAsync());

        Assert.IsType<TimeoutException>(error.InnerException);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromMilliseconds(900), TimeSpan.FromSeconds(3.5));
    }
}
