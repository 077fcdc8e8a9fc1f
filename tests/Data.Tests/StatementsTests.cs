using ExamConsole.Data.Telemetry;
using Npgsql;

namespace ExamConsole.Data.Tests;

[Collection(DataCollection.Name)]
public sealed class StatementsTests(DataFixture fixture)
{
    [Fact]
    public async Task TopStatements_StatementThatRan_IsListedWithItsCallsAndTimes()
    {
        var table = $"statement_probe_{Guid.NewGuid():N}";
        await using (var connection = await fixture.OpenAsync("data-tests-statements"))
        {
            await DataFixture.ScalarAsync<int>(connection, $"CREATE TABLE {table} (id int)");
            for (var i = 0; i < 5; i++)
            {
                await DataFixture.ScalarAsync<long>(connection, $"SELECT count(*) FROM {table}");
            }
        }
        await using var telemetry = DataFixture.Telemetry(fixture.ConnectionString);

        var report = await DataFixture.View(telemetry).TopStatementsAsync(StatementSort.Calls, ServerView.MaxStatements, CancellationToken.None);

        Assert.True(report.Available);
        Assert.Null(report.Advice);
        var statement = Assert.Single(report.Statements, s => s.Query.Contains($"SELECT count(*) FROM {table}", StringComparison.Ordinal));
        Assert.Equal(5, statement.Calls);
        Assert.True(statement.MeanMs > 0);
        Assert.True(statement.TotalMs >= statement.MeanMs);
    }

    [Theory]
    [InlineData(StatementSort.Total)]
    [InlineData(StatementSort.Mean)]
    [InlineData(StatementSort.Calls)]
    public async Task TopStatements_SortedByAColumn_ComeLargestFirstAndAtMostTheLimit(StatementSort sort)
    {
        await using (var connection = await fixture.OpenAsync("data-tests-sorting"))
        {
            // Enough different statements to sort and to cut.
            for (var i = 0; i < 6; i++)
            {
                await DataFixture.ScalarAsync<object>(connection, $"SELECT {new string('1', i + 1)}::text || 'x' AS c{i}, pg_sleep(0.00{i})");
            }
        }
        await using var telemetry = DataFixture.Telemetry(fixture.ConnectionString);

        var report = await DataFixture.View(telemetry).TopStatementsAsync(sort, 4, CancellationToken.None);

        Assert.Equal(4, report.Statements.Count);
        Func<StatementStat, double> key = sort switch
        {
            StatementSort.Mean => s => s.MeanMs,
            StatementSort.Calls => s => s.Calls,
            _ => s => s.TotalMs,
        };
        Assert.Equal(report.Statements.OrderByDescending(key).Select(key), report.Statements.Select(key));
    }

    [Fact]
    public async Task TopStatements_DatabaseWithoutTheExtension_SaysToCreateIt()
    {
        var database = $"noext_{Guid.NewGuid():N}"[..20];
        await using (var admin = await fixture.OpenAsync("data-tests-admin", database: "postgres"))
        {
            await DataFixture.ScalarAsync<int>(admin, $"CREATE DATABASE {database}");
        }
        await using var telemetry = DataFixture.Telemetry(fixture.ConnectionStringFor(database));

        var report = await DataFixture.View(telemetry).TopStatementsAsync(StatementSort.Total, 10, CancellationToken.None);

        Assert.False(report.Available);
        Assert.Empty(report.Statements);
        Assert.Contains("CREATE EXTENSION pg_stat_statements", report.Advice);
        Assert.Contains(database, report.Advice);
        // The server loads it already: no word of shared_preload_libraries.
        Assert.DoesNotContain("shared_preload_libraries", report.Advice);
    }
}

[Collection(BareServerCollection.Name)]
public sealed class StatementsWithoutPreloadTests(BareServerFixture fixture)
{
    [Fact]
    public async Task TopStatements_ServerThatDoesNotPreloadTheExtension_SaysHowToEnableIt()
    {
        await using var telemetry = DataFixture.Telemetry(fixture.ConnectionString);

        var report = await DataFixture.View(telemetry).TopStatementsAsync(StatementSort.Total, 10, CancellationToken.None);

        Assert.False(report.Available);
        Assert.Empty(report.Statements);
        Assert.Contains("shared_preload_libraries = 'pg_stat_statements'", report.Advice);
        Assert.Contains("restart", report.Advice);
        Assert.Contains("CREATE EXTENSION pg_stat_statements", report.Advice);
    }
}
