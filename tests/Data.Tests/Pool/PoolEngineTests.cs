using ExamConsole.Data.Pool;
using ExamConsole.Testing;
using Npgsql;

namespace ExamConsole.Data.Tests.Pool;

[Collection(PoolCollection.Name)]
public sealed class PoolEngineTests(PoolFixture fixture)
{
    [Fact]
    public async Task Resize_WithNewMinimum_SwapsGenerationAndServerConverges()
    {
        await using var harness = fixture.CreateEngine(s =>
        {
            s.MaxSize = 10;
            s.MinSize = 2;
        });
        await harness.Engine.WarmAsync(harness.DataSource.Current, CancellationToken.None);
        await harness.WaitForBackendsAsync(n => n == 2, TimeSpan.FromSeconds(5), "2");

        var snapshot = await harness.Engine.ResizeAsync(20, 6, CancellationToken.None);

        Assert.Equal(2, snapshot.Generation);
        Assert.Equal(20, snapshot.MaxSize);
        Assert.Equal(6, snapshot.MinSize);
        // The old generation's idle connections are closed, the new one is warmed to its minimum.
        await harness.WaitForBackendsAsync(n => n == 6, TimeSpan.FromSeconds(10), "6");
    }

    [Fact]
    public async Task Resize_ToAMinimumAboveOneBatch_OpensOneBatchAtOnceAndTheWatchTheRest()
    {
        await using var harness = fixture.CreateEngine(s => s.MaxSize = 10);

        var snapshot = await harness.Engine.ResizeAsync(90, 90, CancellationToken.None);

        // One batch (64) before the answer: requests never wait behind a warm-up of the whole pool.
        Assert.Equal(64, snapshot.Open);
        await harness.WaitForBackendsAsync(n => n == 64, TimeSpan.FromSeconds(10), "64");
        await harness.Engine.TickAsync(CancellationToken.None);
        await harness.WaitForBackendsAsync(n => n == 90, TimeSpan.FromSeconds(10), "90");
    }

    [Fact]
    public async Task Resize_WhileALeaseIsHeld_OldGenerationFinishesItsWork()
    {
        await using var harness = fixture.CreateEngine(s => s.MaxSize = 3);
        var old = await harness.Engine.AcquireAsync("long work", CancellationToken.None);

        await harness.Engine.ResizeAsync(5, 0, CancellationToken.None);
        await using (var command = new NpgsqlCommand("SELECT 42", old.Connection))
        {
            Assert.Equal(42, (int)(await command.ExecuteScalarAsync())!);
        }
        await using (var fresh = await harness.Engine.AcquireAsync("new work", CancellationToken.None))
        {
            Assert.Equal(2, harness.Engine.Snapshot().Generation);
        }
        await old.DisposeAsync();

        // Once its last lease is back, the old generation is gone: only the new one's idle connection stays.
        await harness.WaitForBackendsAsync(n => n == 1, TimeSpan.FromSeconds(5), "1");
    }

    [Fact]
    public async Task Resize_AboveServerLimit_IsRejectedWithTheNumbers()
    {
        await using var harness = fixture.CreateEngine(s => s.ServerReserve = 20);

        var error = await Assert.ThrowsAsync<PoolSizeRejectedException>(() => harness.Engine.ResizeAsync(500, 0, CancellationToken.None));

        Assert.Equal(120, error.ServerMaxConnections);
        Assert.Equal(100, error.Allowed);
        Assert.Contains("max_connections is 120", error.Message);
        Assert.Equal(1, harness.Engine.Snapshot().Generation);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(100_001, 0)]
    [InlineData(10, 11)]
    [InlineData(10, -1)]
    public async Task Resize_Nonsense_IsRefusedByTheRuleBeforeAnyChange(int maxSize, int minSize)
    {
        await using var harness = fixture.CreateEngine(_ => { });

        var error = await Assert.ThrowsAsync<PoolSizeInvalidException>(() => harness.Engine.ResizeAsync(maxSize, minSize, CancellationToken.None));

        Assert.Equal(PoolSizeRule.CheckBounds(maxSize, minSize).Values.SelectMany(e => e), error.Errors.Values.SelectMany(e => e));
        Assert.Equal(1, harness.Engine.Snapshot().Generation);
    }

    [Fact]
    public async Task Snapshot_ServerFigures_AreTheOneSamplersNewest()
    {
        await using var harness = fixture.CreateEngine(_ => { });
        Assert.Equal(0, harness.Engine.Snapshot().Server.MaxConnections);

        await harness.Sampler.SampleAsync(CancellationToken.None);

        Assert.Equal(120, harness.Engine.Snapshot().Server.MaxConnections);
    }

    [Fact]
    public async Task Snapshot_OneOfTwoBusy_IsFiftyPercentYellow()
    {
        await using var harness = fixture.CreateEngine(s => s.MaxSize = 2);
        await using (var idle = await harness.Engine.AcquireAsync("test", CancellationToken.None))
        {
        }
        await using var busy = await harness.Engine.AcquireAsync("test", CancellationToken.None);

        var snapshot = harness.Engine.Snapshot();

        Assert.Equal(1, snapshot.Busy);
        Assert.Equal(0, snapshot.Idle);
        Assert.Equal(1, snapshot.Open);
        Assert.Equal(50, snapshot.UtilizationPercent);
        Assert.Equal(UtilizationBands.Yellow, snapshot.Band);
        Assert.Equal(2, snapshot.LeasesTotal);
        Assert.Equal(2, snapshot.AcquireMs.Samples);
        Assert.Equal(1, snapshot.HoldMs.Samples);
        Assert.Equal(2, harness.AcquireCollector.GetMeasurementSnapshot().Count);
        Assert.Equal(1, snapshot.BackendUses.Backends);
        Assert.Equal(2, snapshot.BackendUses.Max);
    }

    [Fact]
    public async Task LeakWatch_LeaseHeldPastThreshold_IsReportedWithSourceThenReturned()
    {
        await using var harness = fixture.CreateEngine(s => s.LeakThreshold = TimeSpan.FromMilliseconds(300));
        var lease = await harness.Engine.AcquireAsync("POST /api/leaky", CancellationToken.None);

        await TickUntilAsync(harness, () => harness.Engine.LeakEvents().Any(e => e.Kind == LeakEvent.Held), "the lease to be reported");

        var leak = Assert.Single(harness.Engine.SuspectedLeaks());
        Assert.Equal("POST /api/leaky", leak.Source);
        Assert.Equal(lease.BackendPid, leak.BackendPid);
        Assert.Equal(1, harness.Engine.Snapshot().LeasesOverThreshold);
        Assert.Contains(harness.Logs.GetSnapshot(), r => r.Message.Contains("POST /api/leaky") && r.Message.Contains("LeakThreshold"));

        await lease.DisposeAsync();

        Assert.Empty(harness.Engine.SuspectedLeaks());
        Assert.Equal([LeakEvent.Returned, LeakEvent.Held], harness.Engine.LeakEvents().Select(e => e.Kind));
    }

    [Fact]
    public async Task LeakWatch_PastReclaimThreshold_TerminatesTheBackend()
    {
        await using var harness = fixture.CreateEngine(s =>
        {
            s.LeakThreshold = TimeSpan.FromMilliseconds(200);
            s.LeakReclaimAfter = TimeSpan.FromMilliseconds(500);
        });
        var lease = await harness.Engine.AcquireAsync("leaky job", CancellationToken.None);

        await TickUntilAsync(harness, () => harness.Engine.LeakEvents().Any(e => e.Kind == LeakEvent.Reclaimed), "the reclaim");

        await harness.WaitForBackendsAsync(n => n == 0, TimeSpan.FromSeconds(5), "0 (terminated)");
        await using (var command = new NpgsqlCommand("SELECT 1", lease.Connection))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => command.ExecuteScalarAsync());
        }
        await lease.DisposeAsync();
        Assert.Contains(harness.Logs.GetSnapshot(), r => r.Message.Contains("reclaimed") && r.Message.Contains("leaky job"));
    }

    [Fact]
    public async Task MemoryPressure_AboveMark_ShortensLifecycleAndRestoresBelow()
    {
        await using var harness = fixture.CreateEngine(s =>
        {
            s.MemoryPressurePercent = 80;
            s.IdleTimeout = TimeSpan.FromSeconds(15);
            s.PressureIdleTimeout = TimeSpan.FromSeconds(3);
            s.PressureConnectionLifetime = TimeSpan.FromSeconds(30);
        });
        harness.Memory.Percent = 90;

        await harness.Engine.TickAsync(CancellationToken.None);

        var pressed = harness.Engine.Snapshot();
        Assert.True(pressed.Lifecycle.MemoryPressure);
        Assert.Equal(3, pressed.Lifecycle.IdleTimeoutSeconds);
        Assert.Equal(30, pressed.Lifecycle.ConnectionLifetimeSeconds);
        Assert.Equal(2, pressed.Generation);

        harness.Memory.Percent = 78; // within the hysteresis: stays pressed
        await harness.Engine.TickAsync(CancellationToken.None);
        Assert.True(harness.Engine.Snapshot().Lifecycle.MemoryPressure);

        harness.Memory.Percent = 50;
        await harness.Engine.TickAsync(CancellationToken.None);
        var restored = harness.Engine.Snapshot();
        Assert.False(restored.Lifecycle.MemoryPressure);
        Assert.Equal(15, restored.Lifecycle.IdleTimeoutSeconds);
        Assert.Equal(0, restored.Lifecycle.ConnectionLifetimeSeconds);
        Assert.Equal(3, restored.Generation);
    }

    [Fact]
    public async Task Tick_BelowMinimumAfterLoss_TopsThePoolUp()
    {
        await using var harness = fixture.CreateEngine(s => s.MinSize = 3);
        await harness.Engine.WarmAsync(harness.DataSource.Current, CancellationToken.None);
        var pids = await harness.WaitForBackendsAsync(n => n == 3, TimeSpan.FromSeconds(5), "3");
        await using (var admin = new NpgsqlConnection(fixture.ConnectionString))
        {
            await admin.OpenAsync();
            await using var kill = new NpgsqlCommand("SELECT pg_terminate_backend(pid) FROM unnest(@pids) AS pid", admin);
            kill.Parameters.AddWithValue("pids", pids.ToArray());
            await kill.ExecuteNonQueryAsync();
        }
        // Npgsql notices dead idle connections only when it tries them: clear them as a restart would.
        harness.DataSource.Current.DataSource.Clear();
        await harness.WaitForBackendsAsync(n => n == 0, TimeSpan.FromSeconds(5), "0");

        await harness.Engine.TickAsync(CancellationToken.None);

        await harness.WaitForBackendsAsync(n => n == 3, TimeSpan.FromSeconds(5), "3 again");
    }

    // The engine acts on its ticks: tick between polls until the condition holds.
    private static Task TickUntilAsync(EngineHarness harness, Func<bool> condition, string what) =>
        Eventually.TrueAsync(async () =>
        {
            if (condition())
            {
                return true;
            }
            await harness.Engine.TickAsync(CancellationToken.None);
            return false;
        }, what);
}
