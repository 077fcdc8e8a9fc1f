using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ExamConsole.Api.Tests.Admin;

[Collection(ApiCollection.Name)]
public sealed class PoolApiTests(ApiFixture fixture)
{
    private const string SizePath = "/api/admin/pool/size";

    [Fact]
    public async Task Snapshot_AsOperator_ShowsTheEngineSnapshotInTheContractShape()
    {
        using var client = ApiFixture.ClientWithToken(fixture.PoolHost, await fixture.OperatorTokenAsync());
        var expected = fixture.PoolEngine.Snapshot();

        var response = await client.GetAsync("/api/admin/pool");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var body = document.RootElement;
        Assert.Equal(expected.MaxSize, body.GetProperty("maxSize").GetInt32());
        Assert.Equal(expected.MinSize, body.GetProperty("minSize").GetInt32());
        Assert.Equal(expected.Open, body.GetProperty("open").GetInt32());
        Assert.Equal(expected.Busy, body.GetProperty("busy").GetInt32());
        Assert.Equal(expected.Idle, body.GetProperty("idle").GetInt32());
        Assert.Equal(expected.Pending, body.GetProperty("pending").GetInt32());
        Assert.Equal(expected.UtilizationPercent, body.GetProperty("utilizationPercent").GetDouble());
        Assert.Equal(expected.Band, body.GetProperty("band").GetString());
        Assert.Equal(expected.AcquireMs.P50, body.GetProperty("acquireMs").GetProperty("p50").GetDouble());
        Assert.Equal(expected.AcquireMs.P95, body.GetProperty("acquireMs").GetProperty("p95").GetDouble());
        Assert.Equal(expected.AcquireMs.P99, body.GetProperty("acquireMs").GetProperty("p99").GetDouble());
        Assert.Equal(expected.TimeoutsTotal, body.GetProperty("timeoutsTotal").GetInt64());
        Assert.Equal(expected.Generation, body.GetProperty("generation").GetInt32());
        Assert.Equal(FakePoolEngine.ServerMaxConnections, body.GetProperty("server").GetProperty("maxConnections").GetInt32());
        Assert.Equal(expected.Server.ActiveBackends, body.GetProperty("server").GetProperty("activeBackends").GetInt32());
    }

    [Fact]
    public async Task Resize_WithSensibleSize_Answers200WithTheSnapshotOfTheNewSize()
    {
        using var client = ApiFixture.ClientWithToken(fixture.PoolHost, await fixture.OperatorTokenAsync());
        var before = fixture.PoolEngine.Snapshot();
        var maxSize = before.MaxSize == 60 ? 61 : 60;

        var response = await client.PutAsJsonAsync(SizePath, new { maxSize, minSize = 5 });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(maxSize, document.RootElement.GetProperty("maxSize").GetInt32());
        Assert.Equal(5, document.RootElement.GetProperty("minSize").GetInt32());
        Assert.Equal(before.Generation + 1, document.RootElement.GetProperty("generation").GetInt32());
        Assert.Equal(maxSize, fixture.PoolEngine.Snapshot().MaxSize);
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
    public async Task Resize_WithNonsense_Answers400NamingTheFieldAndNeverReachesTheEngine(string json, string field)
    {
        using var client = ApiFixture.ClientWithToken(fixture.PoolHost, await fixture.OperatorTokenAsync());
        var resizes = fixture.PoolEngine.Resizes;

        var response = await client.PutAsync(SizePath, new StringContent(json, Encoding.UTF8, "application/json"));

        await AdminAssert.InvalidAsync(response, field);
        Assert.Equal(resizes, fixture.PoolEngine.Resizes);
    }

    [Fact]
    public async Task Resize_AboveWhatTheServerTakes_Answers409WithTheNumbers()
    {
        using var client = ApiFixture.ClientWithToken(fixture.PoolHost, await fixture.OperatorTokenAsync());
        var before = fixture.PoolEngine.Snapshot();
        const int requested = FakePoolEngine.Allowed + 1;

        var response = await client.PutAsJsonAsync(SizePath, new { maxSize = requested, minSize = 0 });

        var problem = await AdminAssert.ProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Equal(requested, problem.GetProperty("requested").GetInt32());
        Assert.Equal(FakePoolEngine.ServerMaxConnections, problem.GetProperty("serverMaxConnections").GetInt32());
        Assert.Equal(FakePoolEngine.Reserve, problem.GetProperty("reserve").GetInt32());
        Assert.Equal(FakePoolEngine.Allowed, problem.GetProperty("allowed").GetInt32());
        Assert.Contains("max_connections", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before.MaxSize, fixture.PoolEngine.Snapshot().MaxSize);
    }
}
