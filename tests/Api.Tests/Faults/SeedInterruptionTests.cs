using ExamConsole.Testing;
using Npgsql;
using Xunit.Abstractions;

namespace ExamConsole.Api.Tests.Faults;

/// <summary>
/// The demo data is all or nothing: the real host, SIGKILLed at several moments of its seeding on a
/// real PostgreSQL, leaves either the whole data set with its completion marker or nothing at all, and
/// the next start makes it complete. A data set left partial by an older version is completed too.
/// </summary>
public sealed class SeedInterruptionTests(SeedClusterFixture cluster, ITestOutputHelper output) : IClassFixture<SeedClusterFixture>
{
    private const int Teachers = 4_000;
    private const int Exams = 10;
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(120);

    [Theory]
    [InlineData("Database schema current")]
    [InlineData("Seeding demo data")]
    [InlineData("Seeded 10 exams")]
    [InlineData("Copied 4000 teachers")]
    public async Task Seeding_KilledAt_LeavesAllOrNothingAndNextStartCompletesIt(string killAfter)
    {
        var database = await cluster.CreateDatabaseAsync();
        var environment = Environment(database);

        await using (var host = HostProcess.Launch(environment))
        {
            await host.WaitForOutputAsync(killAfter, Within);
            await host.KillAsync();
        }
        var left = await CountAsync(database);
        output.WriteLine($"Killed after \"{killAfter}\": {left}");
        Assert.True(
            left == DataSet.Empty || left == DataSet.Complete,
            $"Seeding killed after \"{killAfter}\" left a partial data set: {left}");

        await using (var host = await HostProcess.StartAsync(environment, Within))
        {
            Assert.Equal(DataSet.Complete, await CountAsync(database));
            Assert.Equal(Exams, await DemoTeachers.ExamCountAsync(host.Address, 1));
            Assert.Equal(Exams, await DemoTeachers.ExamCountAsync(host.Address, Teachers));
        }
    }

    [Fact]
    public async Task Start_OnTeachersWithoutAssignmentsOrMarker_CompletesTheDataSetAndSaysSo()
    {
        var database = await cluster.CreateDatabaseAsync();
        var environment = Environment(database);
        await using (await HostProcess.StartAsync(environment, Within))
        {
        }
        // What a version without the marker left when its assignment COPY died: teachers and exams, no assignments.
        await ExecuteAsync(database, "DELETE FROM demo_data; DELETE FROM exam_assignments;");
        Assert.Equal(new DataSet(Teachers, Exams, 0, Marker: false), await CountAsync(database));

        await using (var host = await HostProcess.StartAsync(environment, Within))
        {
            Assert.Contains(host.Output, line => line.Contains($"Demo data is incomplete (no completion marker): {Teachers} teachers, {Exams} exams, 0 assignments found", StringComparison.Ordinal));
            Assert.Contains(host.Output, line => line.Contains($"Demo data repaired: added 0 exams, 0 teachers, {Teachers * Exams} assignments", StringComparison.Ordinal));
            Assert.Equal(DataSet.Complete, await CountAsync(database));
            Assert.Equal(Exams, await DemoTeachers.ExamCountAsync(host.Address, Teachers));
        }
    }

    [Fact]
    public async Task Start_OnCompleteDataSet_LeavesItAlone()
    {
        var database = await cluster.CreateDatabaseAsync();
        var environment = Environment(database);
        await using (await HostProcess.StartAsync(environment, Within))
        {
        }
        await using var host = await HostProcess.StartAsync(environment, Within);
        Assert.Contains(host.Output, line => line.Contains($"Demo data present: {Teachers} teachers, {Exams} exams, {Teachers * Exams} assignments (seeded", StringComparison.Ordinal));
        Assert.DoesNotContain(host.Output, line => line.Contains("Seeding demo data", StringComparison.Ordinal));
        Assert.DoesNotContain(host.Output, line => line.Contains("Every demo exam had closed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_OnALaterDayWithEveryExamClosed_OpensThemAgainAndSaysSo()
    {
        // The next day: the 8 hours every exam was open for ended yesterday.
        await using var host = await RestartAfterAsync("UPDATE exams SET opens_at = now() - interval '1 day', closes_at = now() - interval '16 hours'");

        Assert.Contains(host.Output, line => line.Contains("Every demo exam had closed", StringComparison.Ordinal) && line.Contains($"{Exams} exams open again from now", StringComparison.Ordinal));
        Assert.All(await DemoTeachers.PaperStatusesAsync(host.Address, Teachers), status => Assert.Equal(200, status));
    }

    [Fact]
    public async Task Start_WithOneExamStillOpen_LeavesTheClosedOnesClosed()
    {
        // An operator closed all exams but one: that is a choice, not a demo left over from yesterday.
        await using var host = await RestartAfterAsync("UPDATE exams SET closes_at = now() - interval '1 minute' WHERE id <> (SELECT min(id) FROM exams)");

        Assert.DoesNotContain(host.Output, line => line.Contains("Every demo exam had closed", StringComparison.Ordinal));
        var statuses = await DemoTeachers.PaperStatusesAsync(host.Address, 1);
        Assert.Equal(1, statuses.Count(s => s == 200));
        Assert.Equal(Exams - 1, statuses.Count(s => s == 403));
    }

    /// <summary>Seeds a database of its own with a first start, runs <paramref name="sql"/> on it, and starts the host again.</summary>
    private async Task<HostProcess> RestartAfterAsync(string sql)
    {
        var database = await cluster.CreateDatabaseAsync();
        var environment = Environment(database);
        await using (await HostProcess.StartAsync(environment, Within))
        {
        }
        await ExecuteAsync(database, sql);
        return await HostProcess.StartAsync(environment, Within);
    }

    private Dictionary<string, string> Environment(string database) => new()
    {
        ["ConnectionStrings__Exam"] = cluster.Postgres.Server.ConnectionStringFor(database),
        ["Seed__Teachers"] = Teachers.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Seed__Exams"] = Exams.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Seed__QuestionsPerExam"] = "5",
        ["Pool__MaxSize"] = "10",
        ["Pool__MinSize"] = "0",
        ["Pool__ServerReserve"] = "20",
        ["Auth__SigningKey"] = "seed-interruption-test-key-of-32-bytes!",
        ["Spool__Directory"] = Path.Combine(Path.GetTempPath(), "examconsole-seed-" + Guid.NewGuid().ToString("N")),
    };

    private async Task<DataSet> CountAsync(string database)
    {
        await using var connection = new NpgsqlConnection(cluster.Postgres.Server.ConnectionStringFor(database) + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT (SELECT count(*) FROM teachers), (SELECT count(*) FROM exams), (SELECT count(*) FROM exam_assignments),
                   (SELECT count(*) FROM demo_data WHERE teachers = (SELECT count(*) FROM teachers) AND assignments = (SELECT count(*) FROM exam_assignments))
            """,
            connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new DataSet((int)reader.GetInt64(0), (int)reader.GetInt64(1), (int)reader.GetInt64(2), reader.GetInt64(3) == 1);
    }

    private async Task ExecuteAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(cluster.Postgres.Server.ConnectionStringFor(database) + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private sealed record DataSet(int Teachers, int Exams, int Assignments, bool Marker)
    {
        public static readonly DataSet Empty = new(0, 0, 0, false);
        public static readonly DataSet Complete = new(SeedInterruptionTests.Teachers, SeedInterruptionTests.Exams, SeedInterruptionTests.Teachers * SeedInterruptionTests.Exams, true);
    }
}

/// <summary>One throwaway cluster for the seeding tests; each test seeds a database of its own on it.</summary>
public sealed class SeedClusterFixture : IAsyncLifetime
{
    private int _databases;

    public TestPostgres Postgres { get; private set; } = null!;

    public async Task InitializeAsync() => Postgres = await TestPostgres.StartAsync("seed");

    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"seed_{Interlocked.Increment(ref _databases)}";
        await using var connection = new NpgsqlConnection(Postgres.Server.ConnectionStringFor("postgres") + ";Pooling=false");
        await connection.OpenAsync();
        await using (var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection))
        {
            await create.ExecuteNonQueryAsync();
        }
        await using var extension = new NpgsqlConnection(Postgres.Server.ConnectionStringFor(name) + ";Pooling=false");
        await extension.OpenAsync();
        await using (var command = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS pg_stat_statements", extension))
        {
            await command.ExecuteNonQueryAsync();
        }
        return name;
    }

    public async Task DisposeAsync() => await Postgres.DisposeAsync();
}
