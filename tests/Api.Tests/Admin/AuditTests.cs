using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ExamConsole.Api.Admin;
using ExamConsole.Data.Pool;
using Microsoft.Extensions.DependencyInjection;

namespace ExamConsole.Api.Tests.Admin;

// The tests of this collection run one after another, so the entries a test has just written are the
// newest ones in the log when it reads it back.
[Collection(ApiCollection.Name)]
public sealed class AuditTests(ApiFixture fixture)
{
    private const string SizePath = "/api/admin/pool/size";

    [Fact]
    public async Task Audit_AfterTwoResizes_ListsBothNewestFirstWithActorAdminAndTheSizes()
    {
        await using var keep = fixture.KeepPoolSize();
        using var client = ApiFixture.ClientWithToken(fixture.Factory, await fixture.OperatorTokenAsync());
        var start = fixture.Pool.Snapshot();
        var first = start.MaxSize == 70 ? 71 : 70;
        var second = first + 5;

        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync(SizePath, new { maxSize = first, minSize = 2 })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync(SizePath, new { maxSize = second, minSize = 3 })).StatusCode);
        var response = await client.GetAsync("/api/admin/audit?limit=200");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var entries = await response.Content.ReadFromJsonAsync<List<AuditBody>>();
        Assert.NotNull(entries);
        Assert.True(entries.Count >= 2, $"{entries.Count} entries");
        var (newest, older) = (entries[0], entries[1]);
        AssertResize(newest, before: (first, 2), after: (second, 3));
        AssertResize(older, before: (start.MaxSize, start.MinSize), after: (first, 2));
        Assert.True(newest.At >= older.At, $"{newest.At:O} is before {older.At:O}");
        Assert.All(entries.Zip(entries.Skip(1)), pair => Assert.True(pair.First.At >= pair.Second.At, "The log is not newest first."));
    }

    [Fact]
    public async Task Audit_WithLimit_ReturnsThatManyNewestEntries()
    {
        await using var keep = fixture.KeepPoolSize();
        using var client = ApiFixture.ClientWithToken(fixture.Factory, await fixture.OperatorTokenAsync());
        var maxSize = fixture.Pool.Snapshot().MaxSize == 80 ? 81 : 80;
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync(SizePath, new { maxSize = maxSize - 1, minSize = 0 })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync(SizePath, new { maxSize, minSize = 0 })).StatusCode);

        var entries = await client.GetFromJsonAsync<List<AuditBody>>("/api/admin/audit?limit=1");

        var only = Assert.Single(entries!);
        Assert.Equal(maxSize, only.After!.Value.GetProperty("maxSize").GetInt32());
    }

    [Fact]
    public async Task Audit_RefusedResizes_AreRecordedAsRefusedWithTheRulesWordsAndThePoolAsItStayed()
    {
        using var client = ApiFixture.ClientWithToken(fixture.Factory, await fixture.OperatorTokenAsync());
        var pool = fixture.Pool.Snapshot();

        var refused = await client.PutAsJsonAsync(SizePath, new { maxSize = 190, minSize = 0 });
        var invalid = await client.PutAsJsonAsync(SizePath, new { maxSize = 10, minSize = 20 });
        var entries = (await client.GetFromJsonAsync<List<AuditBody>>("/api/admin/audit?limit=2"))!;

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var detail = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString();
        Assert.Equal(2, entries.Count);
        AssertRefusal(entries[0], pool, (10, 20), "minSize must be between 0 and maxSize (10) (got 20).");
        AssertRefusal(entries[1], pool, (190, 0), detail!);
        var after = fixture.Pool.Snapshot();
        Assert.Equal((pool.MaxSize, pool.Generation), (after.MaxSize, after.Generation));
    }

    [Fact]
    public async Task Audit_RefusedResizeOnTheConsolesPath_IsRecordedWithTheConsoleUser()
    {
        // The console's controls call OperatorActions as the API does; the refusal is the same and audited the same.
        var actions = fixture.Factory.Services.GetRequiredService<OperatorActions>();
        using var client = ApiFixture.ClientWithToken(fixture.Factory, await fixture.ViewerTokenAsync());

        var error = await Assert.ThrowsAsync<PoolSizeRejectedException>(() => actions.ResizePoolAsync("olga", 181, 0, CancellationToken.None));
        var newest = Assert.Single((await client.GetFromJsonAsync<List<AuditBody>>("/api/admin/audit?limit=1"))!);

        Assert.Equal(("olga", "pool.resize.refused"), (newest.Actor, newest.Action));
        Assert.Equal(error.Message, newest.After!.Value.GetProperty("refusal").GetString());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("1001")]
    public async Task Audit_WithLimitOutOfRange_Answers400NamingLimit(string limit)
    {
        using var client = ApiFixture.ClientWithToken(fixture.Factory, await fixture.ViewerTokenAsync());

        var response = await client.GetAsync($"/api/admin/audit?limit={limit}");

        await AdminAssert.InvalidAsync(response, "limit");
    }

    private static void AssertRefusal(AuditBody entry, PoolSnapshot pool, (int Max, int Min) requested, string refusal)
    {
        Assert.Equal("admin", entry.Actor);
        Assert.Equal("pool.resize.refused", entry.Action);
        Assert.Equal(pool.MaxSize, entry.Before!.Value.GetProperty("maxSize").GetInt32());
        Assert.Equal(pool.MinSize, entry.Before!.Value.GetProperty("minSize").GetInt32());
        Assert.Equal(requested.Max, entry.After!.Value.GetProperty("requestedMaxSize").GetInt32());
        Assert.Equal(requested.Min, entry.After!.Value.GetProperty("requestedMinSize").GetInt32());
        Assert.Equal(refusal, entry.After!.Value.GetProperty("refusal").GetString());
    }

    private static void AssertResize(AuditBody entry, (int Max, int Min) before, (int Max, int Min) after)
    {
        Assert.Equal("admin", entry.Actor);
        Assert.Equal("pool.resize", entry.Action);
        Assert.Equal(before.Max, entry.Before!.Value.GetProperty("maxSize").GetInt32());
        Assert.Equal(before.Min, entry.Before!.Value.GetProperty("minSize").GetInt32());
        Assert.Equal(after.Max, entry.After!.Value.GetProperty("maxSize").GetInt32());
        Assert.Equal(after.Min, entry.After!.Value.GetProperty("minSize").GetInt32());
    }
}
