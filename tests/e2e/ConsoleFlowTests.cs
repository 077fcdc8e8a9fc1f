using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ExamConsole.Testing;
using Microsoft.Playwright;
using Npgsql;
using static ExamConsole.E2E.ConsolePage;

namespace ExamConsole.E2E;

/// <summary>QA's flows of the administrators' console, in Chromium, against the real host and PostgreSQL.</summary>
[Collection(E2ECollection.Name)]
public sealed class ConsoleFlowTests(E2EFixture fixture)
{
    [Fact]
    public async Task SignIn_WrongPasswordRefusedThenOverviewFiguresMoveUnderTraffic()
    {
        await BrowserSession.RunAsync(fixture, "01-sign-in-overview", async page =>
        {
            await SignInAsync(page, "admin", "not-the-password");
            await Assertions.Expect(page.GetByTestId("login-error")).ToBeVisibleAsync();
            Assert.Contains("/login", page.Url);

            await SignInAsOperatorAsync(page);
            var firstSample = await page.GetByTestId("sampled-at").InnerTextAsync();
            var leasesBefore = await page.GetByTestId("acquire").InnerTextAsync();
            await using var traffic = await TeacherTraffic.StartAsync(fixture, teachers: 3);

            await EventuallyAsync(async () => await page.GetByTestId("sampled-at").InnerTextAsync() != firstSample, "the overview to update without a reload");
            await EventuallyAsync(async () => await page.GetByTestId("acquire").InnerTextAsync() != leasesBefore, "the acquire figures to move with the traffic");
        });
    }

    [Fact]
    public async Task PoolResize_FromConsole_ShowsOnOverviewAgreesWithApiAndServerConverges()
    {
        using var admin = await AdminApiAsync();
        var before = await admin.GetFromJsonAsync<JsonElement>("/api/admin/pool");
        await using var traffic = await TeacherTraffic.StartAsync(fixture, teachers: 3);
        var started = DateTime.UtcNow;
        try
        {
            await BrowserSession.RunAsync(fixture, "02-pool-resize", async page =>
            {
                await SignInAsOperatorAsync(page);
                await OpenAsync(page, "/controls");
                await page.GetByTestId("open-resize").ClickAsync();
                await page.GetByLabel("Max connections").FillAsync("12");
                await page.GetByLabel("Min connections").FillAsync("12");
                await ApplyDialogAsync(page);

                await OpenAsync(page, "/");
                await EventuallyAsync(async () => await FigureAsync(page, "max") == "12", "the overview to show max 12");
            });
            var snapshot = await admin.GetFromJsonAsync<JsonElement>("/api/admin/pool");
            Assert.Equal(12, snapshot.GetProperty("maxSize").GetInt32());
            Assert.Equal(12, snapshot.GetProperty("minSize").GetInt32());
            await EventuallyAsync(async () => await fixture.Data.ScalarAsync<long>("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'examconsole'") == 12, "pg_stat_activity to show 12 backends");
        }
        finally
        {
            await admin.PutAsJsonAsync("/api/admin/pool/size", new { maxSize = before.GetProperty("maxSize").GetInt32(), minSize = before.GetProperty("minSize").GetInt32() });
        }
        var failed = traffic.Since(started).Where(a => a.Status is not (HttpStatusCode.OK or HttpStatusCode.NoContent)).ToList();
        Assert.True(failed.Count == 0, $"{failed.Count} background requests failed during the resize");
        Assert.NotEmpty(traffic.Since(started));
    }

    [Fact]
    public async Task Throttle_ToATinyLimit_ShedsWithRetryAfterAndLiftingRestores()
    {
        using var admin = await AdminApiAsync();
        var before = await admin.GetFromJsonAsync<JsonElement>("/api/admin/throttle");
        await using var traffic = await TeacherTraffic.StartAsync(fixture, teachers: 6);
        try
        {
            await BrowserSession.RunAsync(fixture, "03-throttle", async page =>
            {
                await SignInAsOperatorAsync(page);
                await OpenAsync(page, "/controls");
                await page.GetByTestId("open-throttle").ClickAsync();
                await page.GetByLabel("Max concurrent (empty: no limit)").FillAsync("1");
                await page.GetByLabel("Queue limit (empty: no limit)").FillAsync("0");
                await ApplyDialogAsync(page);
                var throttled = DateTime.UtcNow;

                await EventuallyAsync(() => Task.FromResult(traffic.Since(throttled).Any(a => a.Status == HttpStatusCode.ServiceUnavailable)), "the traffic to be shed");
                Assert.All(traffic.Since(throttled).Where(a => a.Status == HttpStatusCode.ServiceUnavailable), a => Assert.True(a.RetryAfter));
                await OpenAsync(page, "/");
                await EventuallyAsync(async () => await NumberAsync(page, "shed") > 0 || (await page.GetByTestId("shed").InnerTextAsync()).Contains("in all", StringComparison.Ordinal) && !(await page.GetByTestId("shed").InnerTextAsync()).Contains(" 0 in all", StringComparison.Ordinal), "the overview to show shedding");

                await OpenAsync(page, "/controls");
                await page.GetByTestId("open-throttle").ClickAsync();
                await page.GetByLabel("Max concurrent (empty: no limit)").FillAsync("");
                await page.GetByLabel("Queue limit (empty: no limit)").FillAsync("");
                await ApplyDialogAsync(page);
                var lifted = DateTime.UtcNow.AddMilliseconds(300);
                await EventuallyAsync(() => Task.FromResult(traffic.Since(lifted).Count(a => a.Status is HttpStatusCode.OK or HttpStatusCode.NoContent) >= 20), "200s again after the limit is lifted");
                Assert.DoesNotContain(traffic.Since(lifted), a => a.Status == HttpStatusCode.ServiceUnavailable);
            });
        }
        finally
        {
            await admin.PutAsJsonAsync("/api/admin/throttle", new { maxConcurrent = NullableInt(before, "maxConcurrent"), queueLimit = NullableInt(before, "queueLimit") });
        }
    }

    [Fact]
    public async Task Circuit_OpenedFromConsole_QueuesASubmissionAndClosingDrainsIt()
    {
        var (client, attemptId) = await TeacherWithAttemptAsync();
        using var admin = await AdminApiAsync();
        try
        {
            await BrowserSession.RunAsync(fixture, "04-circuit", async page =>
            {
                await SignInAsOperatorAsync(page);
                await OpenAsync(page, "/controls");
                await page.GetByTestId("open-circuit").ClickAsync();
                await ApplyDialogAsync(page);
                await Assertions.Expect(page.GetByTestId("control-circuit").GetByTestId("circuit-state")).ToHaveTextAsync("isolated");

                var submit = await client.PostAsJsonAsync($"/api/attempts/{attemptId}/submit", new { submissionId = Guid.NewGuid(), answers = Array.Empty<object>() });
                Assert.Equal(HttpStatusCode.Accepted, submit.StatusCode);
                Assert.Equal("queued", (await submit.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());

                await OpenAsync(page, "/");
                await EventuallyAsync(async () => await NumberAsync(page, "spool-depth") >= 1, "the overview to show the spooled submission");

                await OpenAsync(page, "/controls");
                await page.GetByTestId("close-circuit").ClickAsync();
                await ApplyDialogAsync(page);
                await OpenAsync(page, "/");
                await EventuallyAsync(async () => await NumberAsync(page, "spool-depth") == 0, "the spool depth to return to 0");
            });
            var status = await client.GetFromJsonAsync<JsonElement>($"/api/attempts/{attemptId}");
            Assert.Equal("submitted", status.GetProperty("status").GetString());
        }
        finally
        {
            await admin.PostAsync("/api/admin/circuit/close", null);
            client.Dispose();
        }
    }

    [Fact]
    public async Task LongQuery_ShowsOnSlowQueriesAndCancelEndsIt()
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(fixture.ConnectionString) { ApplicationName = "e2e-long-query", Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        var pid = connection.ProcessID;
        await using var command = new NpgsqlCommand("SELECT pg_sleep(60)", connection) { CommandTimeout = 90 };
        var running = command.ExecuteNonQueryAsync();
        try
        {
            await BrowserSession.RunAsync(fixture, "05-long-query", async page =>
            {
                await SignInAsOperatorAsync(page);
                await OpenAsync(page, "/slow-queries");
                var cancel = page.GetByTestId($"cancel-{pid}");
                await Assertions.Expect(cancel).ToBeVisibleAsync(new() { Timeout = 20_000 });
                await cancel.ClickAsync();
                await ApplyDialogAsync(page);
                await Assertions.Expect(page.GetByTestId($"cancel-{pid}")).ToHaveCountAsync(0, new() { Timeout = 20_000 });
            });
        }
        catch
        {
            // The flow failed with the query still running: a connection is not disposed under a
            // running command (CI, 2026-12-03: the test then hung until the 10-minute hang timeout).
            if (!running.IsCompleted)
            {
                command.Cancel();
            }
            await running.ContinueWith(static _ => { }, TaskScheduler.Default).WaitAsync(TimeSpan.FromSeconds(90));
            throw;
        }

        var error = await Assert.ThrowsAsync<PostgresException>(() => running);
        Assert.Equal(PostgresErrorCodes.QueryCanceled, error.SqlState);
    }

    [Fact]
    public async Task Audit_ListsConsoleActionsWithTheirActor()
    {
        using var admin = await AdminApiAsync();
        await BrowserSession.RunAsync(fixture, "06-audit", async page =>
        {
            await SignInAsOperatorAsync(page);
            await OpenAsync(page, "/controls");
            await page.GetByTestId("toggle-fallback").ClickAsync();
            await ApplyDialogAsync(page);
            await Assertions.Expect(page.GetByTestId("fallback-state")).ToContainTextAsync("on:");
            await page.GetByTestId("toggle-fallback").ClickAsync();
            await ApplyDialogAsync(page);
            await Assertions.Expect(page.GetByTestId("fallback-state")).ToContainTextAsync("off:");

            await OpenAsync(page, "/audit");
            var rows = page.GetByTestId("audit-row");
            await Assertions.Expect(rows.First).ToBeVisibleAsync();
            var newest = await rows.First.InnerTextAsync();
            Assert.Contains("fallback.force", newest);
            Assert.Contains("admin", newest);
        });
        // The same trail through the operator API: newest first, with the actor.
        var audit = await admin.GetFromJsonAsync<JsonElement>("/api/admin/audit?limit=10");
        Assert.Equal("fallback.force", audit[0].GetProperty("action").GetString());
        Assert.Equal("admin", audit[0].GetProperty("actor").GetString());
    }

    [Fact]
    public async Task Viewer_SeesPagesWithEveryControlDisabled_TeacherAndAnonymousCannotOpenTheConsole()
    {
        await BrowserSession.RunAsync(fixture, "07-viewer", async page =>
        {
            await SignInAsync(page, "viewer", ExamHostFactory.ViewerPassword);
            await page.WaitForURLAsync(url => !url.Contains("/login", StringComparison.Ordinal));
            await OpenAsync(page, "/controls");
            await Assertions.Expect(page.GetByTestId("viewer-notice")).ToBeVisibleAsync();
            foreach (var control in new[] { "open-resize", "open-throttle", "open-circuit", "toggle-fallback", "drain" })
            {
                await Assertions.Expect(page.GetByTestId(control)).ToBeDisabledAsync();
            }
            await OpenAsync(page, "/");
            await Assertions.Expect(page.GetByTestId("sampled-at")).ToBeVisibleAsync();
        });

        var (teacher, _) = await TeacherWithAttemptAsync();
        var token = teacher.DefaultRequestHeaders.Authorization!.Parameter!;
        teacher.Dispose();
        foreach (var path in new[] { "/", "/controls", "/audit", "/slow-queries" })
        {
            await using var context = await fixture.Browser.NewContextAsync(new() { BaseURL = fixture.BaseAddress.ToString() });
            var anonymous = await context.NewPageAsync();
            await anonymous.GotoAsync(path);
            Assert.Contains("/login", anonymous.Url);

            await using var teacherContext = await fixture.Browser.NewContextAsync(new()
            {
                BaseURL = fixture.BaseAddress.ToString(),
                ExtraHTTPHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + token },
            });
            var teacherPage = await teacherContext.NewPageAsync();
            await teacherPage.GotoAsync(path);
            Assert.Contains("/login", teacherPage.Url);
        }
    }

    private async Task<HttpClient> AdminApiAsync()
    {
        var client = fixture.ApiClient();
        var login = await client.PostAsJsonAsync("/api/admin/auth/login", new { username = "admin", password = ExamHostFactory.AdminPassword });
        login.EnsureSuccessStatusCode();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString());
        return client;
    }

    private async Task<(HttpClient Client, long AttemptId)> TeacherWithAttemptAsync()
    {
        var teacher = await fixture.Data.CreateTeacherAsync();
        var client = fixture.ApiClient();
        var login = await client.PostAsJsonAsync("/api/auth/login", new { teacherCode = teacher.Code, password = teacher.Password });
        login.EnsureSuccessStatusCode();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString());
        var attempt = await (await client.PostAsync("/api/exams/1/attempts", null)).Content.ReadFromJsonAsync<JsonElement>();
        return (client, attempt.GetProperty("attemptId").GetInt64());
    }

    private static int? NullableInt(JsonElement element, string name) =>
        element.GetProperty(name).ValueKind == JsonValueKind.Null ? null : element.GetProperty(name).GetInt32();
}
