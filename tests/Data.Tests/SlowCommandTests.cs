using System.Diagnostics;
using System.Diagnostics.Metrics;
using ExamConsole.Data.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ExamConsole.Data.Tests;

[Collection(DataCollection.Name)]
public sealed class SlowCommandTests(DataFixture fixture) : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public void Dispose() => _services.Dispose();

    private SlowCommandRecorder Recorder(SlowCommandLog log, TimeSpan threshold) =>
        new(log, Options.Create(new ServerTelemetryOptions { SlowCommandThreshold = threshold }), _services.GetRequiredService<IMeterFactory>(), TimeProvider.System);

    [Fact]
    public async Task SlowCommand_OverTheThreshold_IsLoggedWithDurationTextSourceAndCounted()
    {
        var log = new SlowCommandLog(100);
        using var recorder = Recorder(log, TimeSpan.FromMilliseconds(100));
        using var counted = new MetricCollector<long>(_services.GetRequiredService<IMeterFactory>(), SlowCommandRecorder.MeterName, SlowCommandRecorder.SlowCommandsInstrument);
        recorder.Start();
        await using var dataSource = NpgsqlDataSource.Create(fixture.ConnectionString);
        var marker = Guid.NewGuid().ToString("N");
        var before = DateTimeOffset.UtcNow;

        using (new Activity("POST /tests/{id}/slow").Start())
        {
            await using var command = dataSource.CreateCommand($"SELECT pg_sleep(0.2) /* slow {marker} */");
            await command.ExecuteNonQueryAsync();
            await using var fast = dataSource.CreateCommand($"SELECT 1 /* fast {marker} */");
            await fast.ExecuteScalarAsync();
        }

        var slow = Assert.Single(log.Recent(), c => c.Command.Contains(marker, StringComparison.Ordinal));
        Assert.Contains($"SELECT pg_sleep(0.2) /* slow {marker} */", slow.Command);
        Assert.True(slow.DurationMs >= 200, $"logged {slow.DurationMs} ms for a 200 ms sleep");
        Assert.Equal("POST /tests/{id}/slow", slow.Source);
        Assert.InRange(slow.At, before, DateTimeOffset.UtcNow);
        Assert.Contains(counted.GetMeasurementSnapshot(), m => m.Value == 1);
    }

    [Fact]
    public async Task SlowCommand_WithoutAParentActivity_TakesItsOwnSpanNameAsSource()
    {
        var log = new SlowCommandLog(100);
        using var recorder = Recorder(log, TimeSpan.Zero);
        recorder.Start();
        await using var dataSource = NpgsqlDataSource.Create(fixture.ConnectionString);
        var marker = Guid.NewGuid().ToString("N");
        string? spanName = null;
        using var spy = new ActivityListener
        {
            ShouldListenTo = s => s.Name == SlowCommandRecorder.NpgsqlSourceName,
            Sample = (ref _) => ActivitySamplingResult.AllData,
            ActivityStopped = a => spanName ??= a.GetTagItem("db.query.text") is string t && t.Contains(marker, StringComparison.Ordinal) ? a.DisplayName : null,
        };
        ActivitySource.AddActivityListener(spy);
        Assert.Null(Activity.Current);

        await using var command = dataSource.CreateCommand($"SELECT 1 /* {marker} */");
        await command.ExecuteScalarAsync();

        var logged = Assert.Single(log.Recent(), c => c.Command.Contains(marker, StringComparison.Ordinal));
        Assert.False(string.IsNullOrEmpty(spanName));
        Assert.Equal(spanName, logged.Source);
    }

    [Fact]
    public async Task SlowCommandRecorder_AfterStop_LogsNothingMore()
    {
        var log = new SlowCommandLog(100);
        using var recorder = Recorder(log, TimeSpan.Zero);
        recorder.Start();
        recorder.Stop();
        await using var dataSource = NpgsqlDataSource.Create(fixture.ConnectionString);
        var marker = Guid.NewGuid().ToString("N");

        await using var command = dataSource.CreateCommand($"SELECT 1 /* {marker} */");
        await command.ExecuteScalarAsync();

        Assert.DoesNotContain(log.Recent(), c => c.Command.Contains(marker, StringComparison.Ordinal));
    }
}

public sealed class SlowCommandLogTests
{
    private static SlowCommand Command(int n) => new(DateTimeOffset.UnixEpoch.AddSeconds(n), n, $"command {n}", "test");

    [Fact]
    public void Recent_MoreCommandsThanCapacity_KeepsOnlyTheNewestNewestFirst()
    {
        var log = new SlowCommandLog(3);
        for (var n = 1; n <= 5; n++)
        {
            log.Add(Command(n));
        }

        Assert.Equal(["command 5", "command 4", "command 3"], log.Recent().Select(c => c.Command));
        Assert.Equal(5, log.TotalRecorded);
        Assert.Equal(3, log.Capacity);
    }

    [Fact]
    public void Recent_WithAMaximum_ReturnsThatManyNewest()
    {
        var log = new SlowCommandLog(10);
        for (var n = 1; n <= 4; n++)
        {
            log.Add(Command(n));
        }

        Assert.Equal(["command 4", "command 3"], log.Recent(2).Select(c => c.Command));
        Assert.Equal(4, log.Recent().Count);
        Assert.Empty(new SlowCommandLog(2).Recent());
    }
}
