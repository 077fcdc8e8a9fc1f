using System.Net;
using System.Text.Json;
using ExamConsole.Api.Admin;
using ExamConsole.Api.Tests.Support;

namespace ExamConsole.Api.Tests;

/// <summary>
/// docs/API.md against what the host serves: its routes against the live OpenAPI document (both ways),
/// its auth column against the document's bearer requirement and against real requests, and the
/// document's 401/403/429/503 answers.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed partial class ApiContractTests(ApiFixture fixture)
{
    private static readonly string[] HttpMethods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

    [Fact]
    public void ApiDoc_Tables_ListServedAndPlannedRoutes()
    {
        var routes = ApiDoc.Routes();

        // Guards the parser: a table format change that made it read nothing would pass every other test.
        Assert.Contains(routes, r => r.Key == "POST /api/attempts/{attemptId}/submit" && r.Auth == "teacher");
        Assert.Contains(routes, r => r.Key == "PUT /api/admin/pool/size" && r.Auth == "operator");
        Assert.Contains(routes, r => r.Key == "GET /health/ready" && !r.IsApi);
        Assert.Contains(routes, r => r.Key == "GET /api/admin/report" && r.Auth == "viewer" && !r.IsPlanned);
        var duplicates = routes.GroupBy(r => r.Key).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(duplicates.Count == 0, $"docs/API.md lists these routes more than once: {string.Join(", ", duplicates)}.");
    }

    [Fact]
    public async Task ApiDoc_EveryServedApiRoute_IsInTheOpenApiDocument()
    {
        var operations = await OperationsAsync();

        var missing = ApiDoc.Routes().Where(r => r.IsApi && !r.IsPlanned && !operations.ContainsKey(r.Key))
            .Select(r => $"{r.Key} (line {r.Line})").ToList();

        Assert.True(missing.Count == 0,
            $"docs/API.md lists routes the host does not serve (not in /openapi/v1.json): {string.Join(", ", missing)}. Fix the path, or move the row to \"{DocumentedRoute.PlannedSection}\".");
    }

    [Fact]
    public async Task OpenApiDocument_EveryApiOperation_IsDocumented()
    {
        var documented = ApiDoc.Routes().Where(r => !r.IsPlanned).Select(r => r.Key).ToHashSet();
        var operations = await OperationsAsync();

        var undocumented = operations.Keys.Where(k => k.Split(' ')[1].StartsWith("/api/", StringComparison.Ordinal) && !documented.Contains(k)).ToList();

        Assert.True(undocumented.Count == 0,
            $"The host serves routes that docs/API.md does not list: {string.Join(", ", undocumented)}. Add a row for each (body, success, errors).");
    }

    [Fact]
    public async Task ApiDoc_PlannedRoutes_AreNotServedYet()
    {
        var operations = await OperationsAsync();

        var served = ApiDoc.Routes().Where(r => r.IsPlanned && operations.ContainsKey(r.Key)).Select(r => r.Key).ToList();

        Assert.True(served.Count == 0,
            $"These routes are served but docs/API.md still lists them under \"{DocumentedRoute.PlannedSection}\": {string.Join(", ", served)}. Move each row to its served section.");
    }

    [Fact]
    public async Task ApiDoc_RoutesOutsideApi_AreServed()
    {
        using var client = fixture.Factory.CreateClient();
        var routes = ApiDoc.Routes().Where(r => !r.IsApi && !r.IsPlanned).ToList();
        Assert.NotEmpty(routes);

        var missing = new List<string>();
        foreach (var route in routes)
        {
            using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(route.Method), route.Path));
            if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed)
            {
                missing.Add($"{route.Key} ({(int)response.StatusCode})");
            }
        }

        Assert.True(missing.Count == 0, $"docs/API.md lists routes the host does not serve: {string.Join(", ", missing)}.");
    }

    [Fact]
    public async Task OpenApiDocument_BearerRequirement_MatchesTheAuthColumn()
    {
        var operations = await OperationsAsync();

        var wrong = ApiDoc.Routes().Where(r => r.IsApi && !r.IsPlanned && operations.ContainsKey(r.Key))
            .Where(r => r.NeedsToken != RequiresBearer(operations[r.Key]))
            .Select(r => $"{r.Key} (docs/API.md: {r.Auth}; OpenAPI: {(RequiresBearer(operations[r.Key]) ? "bearer" : "no security")})")
            .ToList();

        Assert.True(wrong.Count == 0, $"The OpenAPI document's bearer requirement differs from docs/API.md's auth column: {string.Join(", ", wrong)}.");
    }

    [Fact]
    public async Task OpenApiDocument_BearerProtectedOperations_Declare401And403()
    {
        var operations = await OperationsAsync();
        var protectedOperations = operations.Where(o => RequiresBearer(o.Value)).ToList();
        Assert.NotEmpty(protectedOperations);

        var lacking = protectedOperations
            .SelectMany(o => new[] { "401", "403" }.Where(status => !Responses(o.Value).ContainsKey(status)).Select(status => $"{o.Key} lacks {status}"))
            .ToList();

        Assert.True(lacking.Count == 0, $"Bearer-protected operations must declare 401 and 403: {string.Join(", ", lacking)}.");
    }

    [Fact]
    public async Task OpenApiDocument_TeacherOperations_Declare503WithRetryAfter()
    {
        var operations = await OperationsAsync();
        var teacherRoutes = ApiDoc.Routes().Where(r => r.Section == DocumentedRoute.TeacherSection && operations.ContainsKey(r.Key)).ToList();
        Assert.NotEmpty(teacherRoutes);

        var lacking = teacherRoutes.Where(r => !DeclaresWithRetryAfter(operations[r.Key], "503")).Select(r => r.Key).ToList();

        Assert.True(lacking.Count == 0, $"Teacher routes are behind the admission gate and must declare 503 with Retry-After: {string.Join(", ", lacking)}.");
    }

    [Theory]
    [InlineData("POST /api/auth/login")]
    [InlineData("POST /api/admin/auth/login")]
    public async Task OpenApiDocument_Login_Declares429WithRetryAfter(string route)
    {
        var operations = await OperationsAsync();

        Assert.True(operations.ContainsKey(route), $"The OpenAPI document lacks {route}.");
        Assert.True(DeclaresWithRetryAfter(operations[route], "429"), $"{route} must declare 429 with a Retry-After header.");
    }

    [Fact]
    public async Task ApiDoc_ProtectedRoutes_RefuseMissingTokenWith401AndWrongRoleWith403()
    {
        var teacher = await fixture.Data.CreateTeacherAsync();
        using var teacherClient = await fixture.Factory.TeacherClientAsync(teacher.Code, teacher.Password);
        using var viewerClient = await AdminClients.AsAsync(fixture.Factory, AdminPolicies.ViewerRole);
        using var operatorClient = await AdminClients.AsAsync(fixture.Factory, AdminPolicies.OperatorRole);
        using var anonymous = fixture.Factory.CreateClient();
        var wrongRole = new Dictionary<string, HttpClient>
        {
            ["teacher"] = operatorClient,
            ["viewer"] = teacherClient,
            ["operator"] = viewerClient,
        };

        var wrong = new List<string>();
        foreach (var route in ApiDoc.Routes().Where(r => r.IsApi && !r.IsPlanned && r.NeedsToken))
        {
            // Refused before the handler runs, so nothing changes and any value fills a path parameter.
            var path = PathParameter().Replace(route.Path, "1");
            using var withoutToken = await anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(route.Method), path));
            if (withoutToken.StatusCode != HttpStatusCode.Unauthorized)
            {
                wrong.Add($"{route.Key} without a token answered {(int)withoutToken.StatusCode}, not 401");
            }
            using var withWrongRole = await wrongRole[route.Auth].SendAsync(new HttpRequestMessage(new HttpMethod(route.Method), path));
            if (withWrongRole.StatusCode != HttpStatusCode.Forbidden)
            {
                wrong.Add($"{route.Key} with a token below '{route.Auth}' answered {(int)withWrongRole.StatusCode}, not 403");
            }
            if (route.Auth == "viewer" && route.Method != "GET")
            {
                wrong.Add($"{route.Key} is documented for viewers, who only read: a route that changes something is 'operator'");
            }
            else if (route.Auth == "viewer")
            {
                // A read: safe to let through, and it shows the route is not operator-only after all.
                using var asViewer = await viewerClient.GetAsync(path);
                if (asViewer.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                {
                    wrong.Add($"{route.Key} with a viewer's token answered {(int)asViewer.StatusCode}");
                }
            }
        }

        Assert.True(wrong.Count == 0, $"docs/API.md's auth column does not hold: {string.Join("; ", wrong)}.");
    }

    /// <summary>The document's operations by "METHOD /path", as docs/API.md writes them.</summary>
    private async Task<Dictionary<string, JsonElement>> OperationsAsync()
    {
        using var client = fixture.Factory.CreateClient();
        using var response = await client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var operations = new Dictionary<string, JsonElement>();
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject().Where(o => HttpMethods.Contains(o.Name)))
            {
                operations[$"{operation.Name.ToUpperInvariant()} {path.Name}"] = operation.Value.Clone();
            }
        }
        return operations;
    }

    private static bool RequiresBearer(JsonElement operation) =>
        operation.TryGetProperty("security", out var security)
        && security.EnumerateArray().Any(requirement => requirement.TryGetProperty("Bearer", out _));

    private static Dictionary<string, JsonElement> Responses(JsonElement operation) =>
        operation.TryGetProperty("responses", out var responses)
            ? responses.EnumerateObject().ToDictionary(r => r.Name, r => r.Value)
            : [];

    private static bool DeclaresWithRetryAfter(JsonElement operation, string status) =>
        Responses(operation).TryGetValue(status, out var response)
        && response.TryGetProperty("headers", out var headers)
        && headers.TryGetProperty("Retry-After", out _);

    [System.Text.RegularExpressions.GeneratedRegex(@"\{[^}]+\}")]
    private static partial System.Text.RegularExpressions.Regex PathParameter();
}
