using System.Net;
using System.Net.Http.Json;

namespace ExamConsole.Api.Tests.Admin;

/// <summary>
/// Who may call the operator routes, on the host's real pool engine, so that a refusal can only come
/// from the policies, never from a missing engine.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class AdminAccessTests(ApiFixture fixture)
{
    public static TheoryData<string, string> Routes => new()
    {
        { "GET", "/api/admin/pool" },
        { "PUT", "/api/admin/pool/size" },
        { "GET", "/api/admin/audit" },
        { "GET", "/api/admin/pool/leases" },
        { "GET", "/api/admin/throttle" },
        { "PUT", "/api/admin/throttle" },
        { "GET", "/api/admin/circuit" },
        { "POST", "/api/admin/circuit/open" },
        { "POST", "/api/admin/circuit/close" },
        { "PUT", "/api/admin/fallback" },
        { "POST", "/api/admin/spool/drain" },
        { "GET", "/api/admin/playbook" },
        { "POST", "/api/admin/playbook/open-circuit/apply" },
        { "POST", "/api/admin/playbook/open-circuit/revert" },
        { "GET", "/api/admin/slow-queries" },
        { "GET", "/api/admin/server" },
        { "POST", "/api/admin/server/backends/1/cancel" },
        { "GET", "/api/admin/readiness" },
    };

    public static TheoryData<string> ReadRoutes => new() { "/api/admin/pool", "/api/admin/audit" };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task AdminRoute_WithTeacherToken_Answers403Problem(string method, string path)
    {
        var teacher = await fixture.Data.CreateTeacherAsync();
        using var teacherClient = await fixture.Factory.TeacherClientAsync(teacher.Code, teacher.Password);
        using var client = ApiFixture.ClientWithToken(fixture.Factory, teacherClient.DefaultRequestHeaders.Authorization!.Parameter);
        var generation = fixture.Pool.Snapshot().Generation;

        var response = await client.SendAsync(Request(method, path));

        await AdminAssert.ProblemAsync(response, HttpStatusCode.Forbidden);
        Assert.Equal(generation, fixture.Pool.Snapshot().Generation);
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task AdminRoute_WithoutToken_Answers401ProblemAskingForBearer(string method, string path)
    {
        using var client = ApiFixture.ClientWithToken(fixture.Factory, token: null);

        var response = await client.SendAsync(Request(method, path));

        await AdminAssert.ProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task AdminRoute_WithForgedToken_Answers401Problem(string method, string path)
    {
        // A real operator token with its signature changed: same claims, not signed by this deployment.
        var token = await fixture.OperatorTokenAsync();
        var forged = token[..^4] + (token[^4..] == "AAAA" ? "BBBB" : "AAAA");
        using var client = ApiFixture.ClientWithToken(fixture.Factory, forged);

        var response = await client.SendAsync(Request(method, path));

        await AdminAssert.ProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    [Theory]
    [MemberData(nameof(ReadRoutes))]
    public async Task ReadRoute_AsViewer_Answers200(string path)
    {
        using var client = ApiFixture.ClientWithToken(fixture.Factory, await fixture.ViewerTokenAsync());

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Resize_AsViewer_Answers403AndLeavesThePoolAlone()
    {
        using var client = ApiFixture.ClientWithToken(fixture.Factory, await fixture.ViewerTokenAsync());
        var before = fixture.Pool.Snapshot();

        var response = await client.PutAsJsonAsync("/api/admin/pool/size", new { maxSize = before.MaxSize + 1, minSize = 0 });

        await AdminAssert.ProblemAsync(response, HttpStatusCode.Forbidden);
        Assert.Equal(before.MaxSize, fixture.Pool.Snapshot().MaxSize);
        Assert.Equal(before.Generation, fixture.Pool.Snapshot().Generation);
    }

    [Fact]
    public async Task TeacherRoute_WithOperatorToken_Answers403()
    {
        using var client = ApiFixture.ClientWithToken(fixture.Factory, await fixture.OperatorTokenAsync());

        var response = await client.GetAsync("/api/exams");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    private static HttpRequestMessage Request(string method, string path) => new(new HttpMethod(method), path)
    {
        Content = method == "GET" ? null : JsonContent.Create(new { maxSize = 30, minSize = 1 }),
    };
}
