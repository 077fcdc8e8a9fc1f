using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ExamConsole.Api.Admin;
using ExamConsole.Api.Tests.Support;
using ExamConsole.Testing;

namespace ExamConsole.Api.Tests.Admin;

/// <summary>The resilience controls through the operator API, on the real engine, spool and circuit.</summary>
[Collection(ApiCollection.Name)]
public sealed class OperatorControlsTests(ApiFixture fixture)
{
    [Fact]
    public async Task Throttle_SetByOperator_IsInForceAndReadBackThenLifted()
    {
        using var admin = ApiFixture.ClientWithToken(fixture.Factory, await fixture.OperatorTokenAsync());
        var before = await admin.GetFromJsonAsync<JsonElement>("/api/admin/throttle");
        try
        {
            var set = await admin.PutAsJsonAsync("/api/admin/throttle", new { maxConcurrent = 3, queueLimit = 7 });
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
            var now = await admin.GetFromJsonAsync<JsonElement>("/api/admin/throttle");
            Assert.Equal(3, now.GetProperty("maxConcurrent").GetInt32());
            Assert.Equal(7, now.GetProperty("queueLimit").GetInt32());
            Assert.True(now.TryGetProperty("rejectedTotal", out _));
            // Without a mode a PUT pins, as before modes existed.
            Assert.Equal("fixed", now.GetProperty("mode").GetString());
            Assert.Equal(3, now.GetProperty("limit").GetInt32());

            var lifted = await (await admin.PutAsJsonAsync("/api/admin/throttle", new { maxConcurrent = (int?)null, queueLimit = (int?)null })).Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(JsonValueKind.Null, lifted.GetProperty("maxConcurrent").ValueKind);
        }
        finally
        {
            await admin.PutAsJsonAsync("/api/admin/throttle", new
            {
                maxConcurrent = before.GetProperty("maxConcurrent").ValueKind == JsonValueKind.Null ? (int?)null : before.GetProperty("maxConcurrent").GetInt32(),
                queueLimit = before.GetProperty("queueLimit").ValueKind == JsonValueKind.Null ? (int?)null : before.GetProperty("queueLimit").GetInt32(),
            });
        }
        var audit = await admin.GetFromJsonAsync<JsonElement>("/api/admin/audit?limit=20");
        Assert.Contains(audit.EnumerateArray(), e => e.GetProperty("action").GetString() == "throttle.set" && e.GetProperty("actor").GetString() == "admin");
    }

    [Fact]
    public async Task Throttle_ReleasedToAdaptiveThenPinned_ShowsModeAndLimitInForceAndIsAudited()
    {
        using var admin = await AdminClients.AsAsync(fixture.Factory, AdminPolicies.OperatorRole);
        using var viewer = await AdminClients.AsAsync(fixture.Factory, AdminPolicies.ViewerRole);
        var before = await admin.GetFromJsonAsync<JsonElement>("/api/admin/throttle");
        var queueLimit = before.GetProperty("queueLimit").ValueKind == JsonValueKind.Null ? (int?)null : before.GetProperty("queueLimit").GetInt32();
        try
        {
            var released = await admin.PutAsJsonAsync("/api/admin/throttle", new { mode = "adaptive", maxConcurrent = 40, queueLimit });
            Assert.Equal(HttpStatusCode.OK, released.StatusCode);
            var adaptive = await viewer.GetFromJsonAsync<JsonElement>("/api/admin/throttle");
            Assert.Equal("adaptive", adaptive.GetProperty("mode").GetString());
            // Started where asked; from here the measured latency moves it, within the floor and the ceiling.
            var limit = adaptive.GetProperty("limit").GetInt32();
            Assert.InRange(limit, adaptive.GetProperty("adaptiveFloor").GetInt32(), adaptive.GetProperty("adaptiveCeiling").GetInt32());
            Assert.Equal(limit, adaptive.GetProperty("maxConcurrent").GetInt32());

            var pinned = await (await admin.PutAsJsonAsync("/api/admin/throttle", new { mode = "fixed", maxConcurrent = 33, queueLimit })).Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("fixed", pinned.GetProperty("mode").GetString());
            Assert.Equal(33, pinned.GetProperty("limit").GetInt32());
            Assert.Equal(33, (await viewer.GetFromJsonAsync<JsonElement>("/api/admin/throttle")).GetProperty("limit").GetInt32());
        }
        finally
        {
            await admin.PutAsJsonAsync("/api/admin/throttle", new
            {
                mode = "fixed",
                maxConcurrent = before.GetProperty("maxConcurrent").ValueKind == JsonValueKind.Null ? (int?)null : before.GetProperty("maxConcurrent").GetInt32(),
                queueLimit,
            });
        }
        var audit = await admin.GetFromJsonAsync<JsonElement>("/api/admin/audit?limit=50");
        var modes = audit.EnumerateArray()
            .Where(e => e.GetProperty("action").GetString() == "throttle.set" && e.GetProperty("actor").GetString()!.StartsWith("test-operator-", StringComparison.Ordinal))
            .Select(e => e.GetProperty("after").GetProperty("mode").GetString())
            .ToList();
        Assert.Contains("adaptive", modes);
        Assert.Contains("fixed", modes);
    }

    [Fact]
    public async Task Throttle_HostConfiguredAdaptive_StartsAdaptiveFromMaxConcurrent()
    {
        // A database of its own: on the fixture's, the fleet's throttle (set by other tests) would be in
        // force instead, as on any node that joins a fleet whose operators set one.
        await using var postgres = await TestPostgres.StartAsync("adaptive");
        await using var host = new ExamHostFactory(postgres.ConnectionString);
        host.Settings["Admission:Mode"] = "Adaptive";
        host.Settings["Admission:MaxConcurrent"] = "48";
        using var viewer = await AdminClients.AsAsync(host, AdminPolicies.ViewerRole);

        var throttle = await viewer.GetFromJsonAsync<JsonElement>("/api/admin/throttle");

        Assert.Equal("adaptive", throttle.GetProperty("mode").GetString());
        // No teacher traffic on this host yet: the limit is where configuration started it.
        Assert.Equal(48, throttle.GetProperty("limit").GetInt32());
        Assert.Equal(8, throttle.GetProperty("adaptiveFloor").GetInt32());
        Assert.Equal(512, throttle.GetProperty("adaptiveCeiling").GetInt32());
    }

    [Theory]
    [InlineData("auto", null, "mode")]
    [InlineData("Adaptive", null, "mode")]
    [InlineData("adaptive", 1_000_000, "maxConcurrent")]
    [InlineData("adaptive", 1, "maxConcurrent")]
    public async Task Throttle_NonsenseMode_Answers400NamingTheField(string mode, int? maxConcurrent, string field)
    {
        using var admin = await AdminClients.AsAsync(fixture.Factory, AdminPolicies.OperatorRole);
        var before = await admin.GetFromJsonAsync<JsonElement>("/api/admin/throttle");

        var response = await admin.PutAsJsonAsync("/api/admin/throttle", new { mode, maxConcurrent, queueLimit = 100 });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Equal(before.GetProperty("mode").GetString(), (await admin.GetFromJsonAsync<JsonElement>("/api/admin/throttle")).GetProperty("mode").GetString());
    }

    [Fact]
    public async Task Throttle_ReleaseAsViewer_IsForbidden()
    {
        using var viewer = await AdminClients.AsAsync(fixture.Factory, AdminPolicies.ViewerRole);

        var response = await viewer.PutAsJsonAsync("/api/admin/throttle", new { mode = "adaptive" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("fixed", (await viewer.GetFromJsonAsync<JsonElement>("/api/admin/throttle")).GetProperty("mode").GetString());
    }

    [Theory]
    [InlineData(0, 5, "maxConcurrent")]
    [InlineData(5, -1, "queueLimit")]
    public async Task Throttle_NonsenseValues_Answers400NamingTheField(int max, int queue, string field)
    {
        using var admin = ApiFixture.ClientWithToken(fixture.Factory, await fixture.OperatorTokenAsync());
        var response = await admin.PutAsJsonAsync("/api/admin/throttle", new { maxConcurrent = max, queueLimit = queue });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Controls_AsViewer_AreForbidden()
    {
        using var viewer = ApiFixture.ClientWithToken(fixture.Factory, await fixture.ViewerTokenAsync());
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/admin/circuit")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync("/api/admin/circuit/open", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PutAsJsonAsync("/api/admin/throttle", new { maxConcurrent = 1, queueLimit = 1 })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync("/api/admin/spool/drain", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync("/api/admin/playbook/open-circuit/apply", null)).StatusCode);
    }

    [Fact]
    public async Task Circuit_OpenedByOperator_QueuesSubmitUntilClosedThenRecordsIt()
    {
        using var admin = ApiFixture.ClientWithToken(fixture.Factory, await fixture.OperatorTokenAsync());
        var attempt = await fixture.ActiveAttemptAsync();
        var submissionId = Guid.NewGuid();

        var opened = await (await admin.PostAsync("/api/admin/circuit/open", null)).Content.ReadFromJsonAsync<JsonElement>();
        try
        {
            Assert.Equal("isolated", opened.GetProperty("state").GetString());
            var submit = await attempt.Client.PostAsJsonAsync(attempt.SubmitUrl, new { submissionId, answers = Array.Empty<object>() });
            Assert.Equal(HttpStatusCode.Accepted, submit.StatusCode);
            var circuit = await admin.GetFromJsonAsync<JsonElement>("/api/admin/circuit");
            Assert.True(circuit.GetProperty("spoolDepth").GetInt32() >= 1);
        }
        finally
        {
            var closed = await (await admin.PostAsync("/api/admin/circuit/close", null)).Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("closed", closed.GetProperty("state").GetString());
        }

        await Eventually.TrueAsync(async () => (await attempt.Client.GetFromJsonAsync<JsonElement>(attempt.StatusUrl)).GetProperty("status").GetString() == "submitted", "the queued submission to be recorded", TimeSpan.FromSeconds(20));
        Assert.Equal(1, await fixture.Data.ScalarAsync<long>("SELECT count(*) FROM submissions WHERE submission_id = @s", ("s", submissionId)));
        var audit = await admin.GetFromJsonAsync<JsonElement>("/api/admin/audit?limit=50");
        var actions = audit.EnumerateArray().Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Contains("circuit.open", actions);
        Assert.Contains("circuit.close", actions);
    }

    [Fact]
    public async Task Fallback_ForcedThenDrained_RecordsTheSubmissionAtOnce()
    {
        using var admin = ApiFixture.ClientWithToken(fixture.Factory, await fixture.OperatorTokenAsync());
        var attempt = await fixture.ActiveAttemptAsync();
        var submissionId = Guid.NewGuid();
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/api/admin/fallback", new { enabled = true })).StatusCode);
        try
        {
            var submit = await attempt.Client.PostAsJsonAsync(attempt.SubmitUrl, new { submissionId, answers = Array.Empty<object>() });
            Assert.Equal(HttpStatusCode.Accepted, submit.StatusCode);

            // An operator's drain runs even while the fallback is forced.
            var drained = await (await admin.PostAsync("/api/admin/spool/drain", null)).Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(drained.GetProperty("replayed").GetInt32() >= 1);
            Assert.Equal(0, drained.GetProperty("spoolDepth").GetInt32());
        }
        finally
        {
            await admin.PutAsJsonAsync("/api/admin/fallback", new { enabled = false });
        }
        Assert.Equal(1, await fixture.Data.ScalarAsync<long>("SELECT count(*) FROM submissions WHERE submission_id = @s", ("s", submissionId)));
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PutAsJsonAsync("/api/admin/fallback", new { })).StatusCode);
    }

    [Fact]
    public async Task Playbook_ReduceTimeout_AppliesRevertsAndRefusesASecondRevert()
    {
        using var admin = ApiFixture.ClientWithToken(fixture.Factory, await fixture.OperatorTokenAsync());
        var steps = await admin.GetFromJsonAsync<JsonElement>("/api/admin/playbook");
        Assert.Equal(8, steps.GetArrayLength());
        var before = (await admin.GetFromJsonAsync<JsonElement>("/api/admin/pool")).GetProperty("lifecycle").GetProperty("acquireTimeoutMs").GetDouble();

        var applied = await admin.PostAsync("/api/admin/playbook/reduce-timeout/apply", null);
        Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
        var during = (await admin.GetFromJsonAsync<JsonElement>("/api/admin/pool")).GetProperty("lifecycle").GetProperty("acquireTimeoutMs").GetDouble();
        var step = (await applied.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().Single(s => s.GetProperty("id").GetString() == "reduce-timeout");
        Assert.True(step.GetProperty("applied").GetBoolean());

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/api/admin/playbook/reduce-timeout/revert", null)).StatusCode);
        var after = (await admin.GetFromJsonAsync<JsonElement>("/api/admin/pool")).GetProperty("lifecycle").GetProperty("acquireTimeoutMs").GetDouble();

        Assert.Equal(1000, during);
        Assert.Equal(before, after);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync("/api/admin/playbook/reduce-timeout/revert", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync("/api/admin/playbook/no-such-step/apply", null)).StatusCode);
    }

    [Fact]
    public async Task Leases_AsViewer_ListsActiveCountAndEvents()
    {
        using var viewer = ApiFixture.ClientWithToken(fixture.Factory, await fixture.ViewerTokenAsync());
        var leases = await viewer.GetFromJsonAsync<JsonElement>("/api/admin/pool/leases");
        Assert.Equal(JsonValueKind.Array, leases.GetProperty("overThreshold").ValueKind);
        Assert.Equal(JsonValueKind.Array, leases.GetProperty("events").ValueKind);
        Assert.True(leases.GetProperty("active").GetInt32() >= 0);
    }
}
