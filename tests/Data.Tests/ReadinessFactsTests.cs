using ExamConsole.Data.Pool;
using ExamConsole.Data.Telemetry.Readiness;

namespace ExamConsole.Data.Tests;

public sealed class ReadinessFactsTests
{
    [Theory]
    [InlineData("2GB", 2L << 30)]
    [InlineData("512MB", 512L << 20)]
    [InlineData("8kB", 8192)]
    [InlineData("1.5 GB", 3L << 29)]
    [InlineData("100", 100)]
    public void PgSize_Parse_ReadsPostgresSizes(string text, long bytes) => Assert.Equal(bytes, PgSize.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("lots")]
    [InlineData("-1MB")]
    public void PgSize_TryParse_RefusesWhatIsNoSize(string text) => Assert.False(PgSize.TryParse(text, out _));

    [Theory]
    [InlineData("8kB", 8192)]
    [InlineData("kB", 1024)]
    [InlineData("MB", 1L << 20)]
    [InlineData(null, 1)]
    public void PgSize_UnitBytes_OfPgSettingsUnits(string? unit, long bytes) => Assert.Equal(bytes, PgSize.UnitBytes(unit));

    [Theory]
    [InlineData(2L << 30, "2GB")]
    [InlineData(128L << 20, "128MB")]
    [InlineData(1153434, "1.1MB")]
    [InlineData(512, "512B")]
    public void PgSize_Format_WritesExactUnitsOrOneDecimal(long bytes, string text) => Assert.Equal(text, PgSize.Format(bytes));

    [Fact]
    public void MachineFacts_ReadTheProcFilesFields()
    {
        const string limits = "Limit                     Soft Limit           Hard Limit           Units     \nMax processes             95000                95000                processes \nMax open files            20000                524288               files     \n";
        const string meminfo = "MemTotal:       24567890 kB\nMemFree:        22000000 kB\n";
        const string smaps = "55d0c0000000-7ffd00000000 ---p 00000000 00:00 0                          [rollup]\nRss:                9000 kB\nPss:                1152 kB\nPss_Anon:            700 kB\n";

        Assert.Equal(20000, MachineFacts.OpenFilesSoftLimit(limits));
        Assert.Equal(long.MaxValue, MachineFacts.OpenFilesSoftLimit("Max open files            unlimited            unlimited            files\n"));
        Assert.Equal(24567890L * 1024, MachineFacts.MemTotalBytes(meminfo));
        Assert.Equal(1152L * 1024, MachineFacts.PssBytes(smaps));
        Assert.Null(MachineFacts.PssShmemBytes(smaps));
        Assert.Equal(452L * 1024, MachineFacts.PssShmemBytes("Pss:                1152 kB\nPss_Shmem:           452 kB\n"));
        Assert.Null(MachineFacts.PssBytes(null));
        Assert.Null(MachineFacts.TryRead("/proc/no-such-file"));
    }

    [Fact]
    public void StatementTimeout_ConnectionWithoutTheConfiguredOne_FailsAndSaysToSetItOnTheRole()
    {
        var check = ReadinessChecks.StatementTimeout(0, new PoolSettings());

        Assert.False(check.Ok);
        Assert.Equal("0 ms (none) on a connection of the main pool", check.Actual);
        Assert.Equal("8000 ms (Pool:StatementTimeout)", check.Expected);
        Assert.Contains("ALTER ROLE <user> SET statement_timeout = 8000", check.Advice);
    }

    [Fact]
    public void Memory_PoolNeedAboveTheMachine_FailsAndNamesTheLargestPoolThatFits()
    {
        var perBackend = new BackendCost(1L << 20, "measured");

        var check = ReadinessChecks.Memory(4L << 30, perBackend, 1L << 30, new PoolSettings { MaxSize = 8000 }, new ReadinessOptions { MinMemory = "1GB" });

        Assert.False(check.Ok);
        Assert.Contains("= 8.8GB", check.Expected);
        Assert.Contains("lower Pool:MaxSize to 3072 at most", check.Advice);
    }

    [Fact]
    public void Memory_BackendCostNotMeasurable_FailsRatherThanGuessing()
    {
        var check = ReadinessChecks.Memory(64L << 30, null, 1L << 30, new PoolSettings(), new ReadinessOptions());

        Assert.False(check.Ok);
        Assert.Contains("could not be measured", check.Actual);
        Assert.Contains("pg_backend_memory_contexts", check.Advice);
    }
}
