using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ExamConsole.Data.Pool;
using ExamConsole.Testing;

namespace ExamConsole.Api.Tests.Admin;

/// <summary>
/// The pool endpoints on the host's real engine and the test cluster: max_connections 200, Pool:ServerReserve
/// 20, so at most 180 connections; the pool starts at max 40, min 0.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class PoolApiTests(ApiFixture fixture)
{
    private const string SizePath = "/api/admin/pool/size";
    private const int ServerMaxConnections = 200;
    private const int Reserve = 20;
    private const int Allowed = ServerMaxConnections - Reserve;

    [Fact]
    public async Task Snapshot_WhileALeaseIsHeld_ShowsItBusyWithTheServersFiguresInTheContractShape()
    {
        using var client = ApiFixture.ClientWithToken(fixture.Factory, await fixture.OperatorTokenAsync());
        var engine = fixture.Pool.Snapshot();
        await using var lease = await fixture.Factory.Db.LeaseAsync(CancellationToken.None);

        var body = await Eventually.UntilAsync(
            async () => await client.GetFromJsonAsync<JsonElement>("/api/admin/pool"),
            b => b.GetProperty("busy").GetInt32() >= 1 && b.GetProperty("server").GetProperty("maxConnections").GetInt32() == ServerMaxConnections,
            "the held lease and the server's max_connections in the snapshot");

        var (max, busy) = (body.GetProperty("maxSize").GetInt32(), body.GetProperty("busy").GetInt32());
        Assert.Equal(engine.MaxSize, max);
        Assert.Equal(engine.MinSize, body.GetProperty("minSize").GetInt32());
        Assert.Equal(engine.Generation, body.GetProperty("generation").GetInt32());
        Assert.Equal(body.GetProperty("open").GetInt32(), busy + body.GetProperty("idle").GetInt32());
        Assert.True(body.GetProperty("pending").GetInt32() >= 0);
        Assert.Equal(UtilizationBands.Utilization(busy, max), body.GetProperty("utilizationPercent").GetDouble());
        Assert.Equal(new UtilizationBands().BandOf(body.GetProperty("utilizationPercent").GetDouble()), body.GetProperty("band").GetString());
        var acquire = body.GetProperty("acquireMs");
        Assert.True(acquire.GetProperty("samples").GetInt32() >= 1);
        Assert.True(acquire.GetProperty("p50").GetDouble() <= acquire.GetProperty("p99").GetDouble());
        Assert.True(body.GetProperty("leasesTotal").GetInt64() >= 1);
        Assert.True(body.GetProperty("timeoutsTotal").GetInt64() >= 0);
        Assert.True(body.GetProperty("server").GetProperty("activeBackends").GetInt32() >= 0);
        Assert.Equal(engine.Lifecycle.AcquireTimeoutMs, body.GetProperty("lifecycle").GetProperty("acquireTimeoutMs").GetDouble());
    }

    [Fact]
    public async Task Resize_WithSensibleSize_Answers200WithTheSnapshotOfTheNewSizeWarmed()
    {
        await using var keep = fixture.KeepPoolSize();
        using var client = ApiFixture.ClientWithToken(fixture.Factory, await fixture.OperatorTokenAsync());
        var before = fixture.Pool.Snapshot();
        var maxSize = before.MaxSize == 60 ? 61 : 60;

        var response = await client.PutAsJsonAsync(SizePath, new { maxSize, minSize = 5 });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(maxSize, document.RootElement.GetProperty("maxSize").GetInt32());
        Assert.Equal(5, document.RootElement.GetProperty("minSize").GetInt32());
        Assert.Equal(before.Generation + 1, document.RootElement.GetProperty("generation").GetInt32());
        // The answer comes once the new generation is in force and warmed to its minimum.
        Assert.True(document.RootElement.GetProperty("open").GetInt32() >= 5, document.RootElement.ToString());
        Assert.Equal(maxSize, fixture.Pool.Snapshot().MaxSize);
    }

    [Fact]
    public async Task Resize_ToExactlyWhatTheServerTakes_IsAccepted()
    {
        await using var keep = fixture.KeepPoolSize();
        using var client = ApiFixture.ClientWithToken(fixture.Factory, await fixture.OperatorTokenAsync());

        var response = await client.PutAsJsonAsync(SizePath, new { maxSize = Allowed, minSize = 0 });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Allowed, fixture.Pool.Snapshot().MaxSize);
    }

    [Theory]
    [InlineData("""{"minSize":0}""", "maxSize")]
    [InlineData("""{"maxSize":10}""", "minSize")]
    [InlineData("""{"maxSize":0,"minSize":0}""", "maxSize")]
    [InlineData("""{"maxSize":-5,"minSize":0}""", "maxSize")]
    [InlineData("""{"maxSize":100001,"minSize":0}""", "maxSize")]
    [InlineData("""{"maxSize":10,"minSize":-1}""", "minSize")]
    [InlineData("""{"maxSize":10,"minSize":11}""", "minSize")]
    [InlineData("""{"maxSize":"ten","minSize":0}""", "$.maxSize")]
    [InlineData("""{"maxSize":10.5,"minSize":0}""", "$.maxSize")]
    public async Task Resize_WithNonsense_Answers400NamingTheFieldAndLeavesThePoolAlone(string json, string field)
    {
        using var client = ApiFixture.ClientWithToken(fixture.Factory, await fixture.OperatorTokenAsync());
        var before = fixture.Pool.Snapshot();

        var response = await client.PutAsync(SizePath, new StringContent(json, Encoding.UTF8, "application/json"));

        await AdminAssert.InvalidAsync(response, field);
        var after = fixture.Pool.Snapshot();
        Assert.Equal((before.MaxSize, before.MinSize, before.Generation), (after.MaxSize, after.MinSize, after.Generation));
    }

    [Fact]
    public async Task Resize_AboveWhatTheServerTakes_Answers409WithTheNumbersInTheRulesWords()
    {
        using var client = ApiFixture.ClientWithToken(fixture.Factory, await fixture.OperatorTokenAsync());
        var before = fixture.Pool.Snapshot();
        const int requested = Allowed + 1;

        var response = await client.PutAsJsonAsync(SizePath, new { maxSize = requested, minSize = 0 });

        var problem = await AdminAssert.ProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Equal(requested, problem.GetProperty("requested").GetInt32());
        Assert.Equal(ServerMaxConnections, problem.GetProperty("serverMaxConnections").GetInt32());
        Assert.Equal(Reserve, problem.GetProperty("reserve").GetInt32());
        Assert.Equal(Allowed, problem.GetProperty("allowed").GetInt32());
        Assert.Equal(
            "A pool of 181 connections does not fit: the server's max_connections is 200 and 20 are kept in reserve, so at most 180. "
            + "Raise max_connections on the server or ask for fewer.",
            problem.GetProperty("detail").GetString());
        var after = fixture.Pool.Snapshot();
        Assert.Equal((before.MaxSize, before.Generation), (after.MaxSize, after.Generation));
    }
}
