using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ExamConsole.Api.Admin;
using ExamConsole.Api.Admission;
using ExamConsole.Api.Fleet;
using ExamConsole.Data.Fleet;
using ExamConsole.Testing;

namespace ExamConsole.Api.Tests.Fleet;

/// <summary>Three hosts on one PostgreSQL: changes fan out, the budget is split and re-split, restarts and missed notifications catch up.</summary>
[Collection(FleetCollection.Name)]
public sealed class FleetTests(FleetFixture fleet)
{
    private static readonly TimeSpan FanOut = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A_throttle_change_on_one_node_is_in_force_on_every_node_and_its_audit_entry_shows_each_node_applying_it()
    {
        using var node1 = await AdminClients.AsAsync(fleet.Nodes[0], AdminPolicies.OperatorRole);
        var limit = 20 + Random.Shared.Next(200);

        var response = await node1.PutAsJsonAsync("/api/admin/throttle", new { mode = "fixed", maxConcurrent = limit, queueLimit = 500 });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // In force on the node that took the change when it answers.
        Assert.Equal(limit, fleet.Service<IAdmissionLimits>(0).State().MaxConcurrent);
        for (var i = 1; i < 3; i++)
        {
            var index = i;
            await Eventually.TrueAsync(() => fleet.Service<IAdmissionLimits>(index).State().MaxConcurrent == limit, $"node-{index + 1} runs the limit {limit}", FanOut);
        }
        using var viewer = await AdminClients.AsAsync(fleet.Nodes[1], AdminPolicies.ViewerRole);
        var entry = await Eventually.UntilAsync(
            async () => (await viewer.GetFromJsonAsync<List<AuditEntryResponse>>("/api/admin/audit?limit=20"))!
                .First(e => e.Action == "throttle.set" && e.After!.Value.GetProperty("maxConcurrent").GetInt32() == limit),
            e => e.Applied.Count == 3,
            "the audit entry lists three nodes applying the change", FanOut, e => string.Join(", ", e.Applied.Select(a => a.Node)));
        Assert.NotNull(entry.SettingsVersion);
        Assert.Equal(["node-1", "node-2", "node-3"], entry.Applied.Select(a => a.Node).Order());
        Assert.All(entry.Applied, a => Assert.True(a.AppliedAt >= entry.At.AddSeconds(-1), $"{a.Node} applied at {a.AppliedAt:O}, the change at {entry.At:O}"));
    }

    [Fact]
    public async Task The_budget_is_split_equally_over_the_live_nodes_and_re_split_when_a_node_stops_and_returns()
    {
        using var node1 = await AdminClients.AsAsync(fleet.Nodes[0], AdminPolicies.OperatorRole);

        var resized = await node1.PutAsJsonAsync("/api/admin/pool/size", new { maxSize = 90, minSize = 2 });

        Assert.Equal(HttpStatusCode.OK, resized.StatusCode);
        var body = await resized.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(30, body.GetProperty("maxSize").GetInt32());
        Assert.Equal(90, body.GetProperty("fleetMaxSize").GetInt32());
        await EachNodeAsync([0, 1, 2], 30, "90 over three nodes");

        await fleet.StopAsync(2);
        try
        {
            await EachNodeAsync([0, 1], 45, "90 over the two nodes left");
        }
        finally
        {
            fleet.Restart(2);
        }
        await EachNodeAsync([0, 1, 2], 30, "90 over three nodes again");
        using var viewer = await AdminClients.AsAsync(fleet.Nodes[2], AdminPolicies.ViewerRole);
        var pool = await viewer.GetFromJsonAsync<JsonElement>("/api/admin/pool");
        Assert.Equal(30, pool.GetProperty("maxSize").GetInt32());
        Assert.Equal(90, pool.GetProperty("fleetMaxSize").GetInt32());
        Assert.Equal(3, pool.GetProperty("fleetNodes").GetInt32());
    }

    [Fact]
    public async Task A_node_that_goes_silent_loses_its_share_after_three_heartbeats()
    {
        using var node1 = await AdminClients.AsAsync(fleet.Nodes[0], AdminPolicies.OperatorRole);
        Assert.Equal(HttpStatusCode.OK, (await node1.PutAsJsonAsync("/api/admin/pool/size", new { maxSize = 120, minSize = 0 })).StatusCode);
        await EachNodeAsync([0, 1, 2], 40, "120 over three nodes");

        // A fourth node that registered and then died without a word: no heartbeat after this one.
        await using (var db = await fleet.OpenAsync())
        {
            await using var insert = new Npgsql.NpgsqlCommand(
                "INSERT INTO fleet_nodes (node_id, name, url, version, started_at, last_seen_at, settings_version) VALUES (gen_random_uuid(), @name, 'http://127.0.0.1:1', 'test', now(), now(), 0); SELECT pg_notify(@channel, @name)", db);
            insert.Parameters.AddWithValue("name", "killed-" + Guid.NewGuid().ToString("N")[..8]);
            insert.Parameters.AddWithValue("channel", FleetStore.MembersChannel);
            await insert.ExecuteNonQueryAsync();
        }

        await EachNodeAsync([0, 1, 2], 30, "120 over four nodes while the silent one counts as alive");
        await EachNodeAsync([0, 1, 2], 40, "120 over three once the silent node missed three heartbeats");
        using var viewer = await AdminClients.AsAsync(fleet.Nodes[1], AdminPolicies.ViewerRole);
        var listing = await viewer.GetFromJsonAsync<FleetResponse>("/api/admin/fleet");
        Assert.Contains(listing!.Nodes, n => n.Name.StartsWith("killed-", StringComparison.Ordinal) && !n.Alive);
        Assert.Equal(3, listing.LiveNodes);
    }

    [Fact]
    public async Task A_budget_the_server_cannot_take_or_too_small_for_the_live_nodes_is_refused_with_409_and_the_numbers()
    {
        using var node2 = await AdminClients.AsAsync(fleet.Nodes[1], AdminPolicies.OperatorRole);

        var tooBig = await node2.PutAsJsonAsync("/api/admin/pool/size", new { maxSize = 5000, minSize = 0 });
        var tooSmall = await node2.PutAsJsonAsync("/api/admin/pool/size", new { maxSize = 2, minSize = 0 });

        Assert.Equal(HttpStatusCode.Conflict, tooBig.StatusCode);
        var big = await tooBig.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(5000, big.GetProperty("requested").GetInt32());
        Assert.Equal(200, big.GetProperty("serverMaxConnections").GetInt32());
        Assert.Equal(HttpStatusCode.Conflict, tooSmall.StatusCode);
        var small = await tooSmall.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(3, small.GetProperty("liveNodes").GetInt32());
        Assert.Equal(0, small.GetProperty("share").GetInt32());
    }

    [Fact]
    public async Task A_restarted_node_runs_the_current_settings_before_it_takes_its_first_request()
    {
        await fleet.StopAsync(2);
        var restarted = false;
        try
        {
            using var node1 = await AdminClients.AsAsync(fleet.Nodes[0], AdminPolicies.OperatorRole);
            var limit = 300 + Random.Shared.Next(100);
            Assert.Equal(HttpStatusCode.OK, (await node1.PutAsJsonAsync("/api/admin/throttle", new { mode = "fixed", maxConcurrent = limit, queueLimit = 400 })).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await node1.PutAsJsonAsync("/api/admin/fallback", new { enabled = true })).StatusCode);

            fleet.Restart(2);
            restarted = true;

            // StartServer has returned: the node takes requests now, and it already runs what was set while it was down.
            Assert.Equal(limit, fleet.Service<IAdmissionLimits>(2).State().MaxConcurrent);
            Assert.True(fleet.Service<Submissions.ISubmissionFallback>(2).ForceFallback);
            Assert.Equal(fleet.Service<SettingsApplier>(0).AppliedVersion, fleet.Service<SettingsApplier>(2).AppliedVersion);
        }
        finally
        {
            if (!restarted)
            {
                fleet.Restart(2);
            }
            using var node1 = await AdminClients.AsAsync(fleet.Nodes[0], AdminPolicies.OperatorRole);
            await node1.PutAsJsonAsync("/api/admin/fallback", new { enabled = false });
        }
    }

    [Fact]
    public async Task A_version_written_without_its_notification_is_applied_at_the_next_heartbeat()
    {
        var limit = 500 + Random.Shared.Next(100);
        await using (var db = await fleet.OpenAsync())
        {
            // What a lost notification looks like: the new version is in the table and nobody was told.
            await using var update = new Npgsql.NpgsqlCommand(
                """
                UPDATE fleet_settings SET version = version + 1, changed_by = 'test', changed_at = now(),
                  settings = jsonb_set(settings, '{throttle}', jsonb_build_object('mode', 'fixed', 'maxConcurrent', @limit, 'queueLimit', 100, 'version', version + 1))
                WHERE id = 1
                """, db);
            update.Parameters.AddWithValue("limit", limit);
            Assert.Equal(1, await update.ExecuteNonQueryAsync());
        }

        for (var i = 0; i < 3; i++)
        {
            var index = i;
            await Eventually.TrueAsync(() => fleet.Service<IAdmissionLimits>(index).State().MaxConcurrent == limit, $"node-{index + 1} caught up with the limit {limit}", FanOut);
        }
    }

    private async Task EachNodeAsync(int[] nodes, int share, string what)
    {
        foreach (var index in nodes)
        {
            await Eventually.TrueAsync(() => fleet.Service<OperatorActions>(index).Pool().MaxSize == share,
                $"node-{index + 1} holds {share} ({what}); it holds {fleet.Service<OperatorActions>(index).Pool().MaxSize}", TimeSpan.FromSeconds(10));
        }
    }
}
