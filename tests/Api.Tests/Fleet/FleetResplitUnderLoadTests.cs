using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using ExamConsole.Api.Admin;
using ExamConsole.Testing;

namespace ExamConsole.Api.Tests.Fleet;

/// <summary>Teachers keep being served on two nodes while the third leaves and comes back and the budget is re-split twice.</summary>
[Collection(FleetCollection.Name)]
public sealed class FleetResplitUnderLoadTests(FleetFixture fleet)
{
    private const int WorkersPerNode = 4;

    [Fact]
    public async Task No_request_in_flight_fails_while_a_node_leaves_and_returns_and_the_shares_move()
    {
        var data = new TestData(fleet.ConnectionString);
        using var admin = await AdminClients.AsAsync(fleet.Nodes[0], AdminPolicies.OperatorRole);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/api/admin/pool/size", new { maxSize = 60, minSize = 2 })).StatusCode);
        var questionId = await data.ScalarAsync<int>("SELECT min(id) FROM questions WHERE exam_id = 1");
        var optionId = await data.ScalarAsync<int>("SELECT min(id) FROM question_options WHERE question_id = @q", ("q", questionId));
        var workers = new List<(HttpClient Client, long AttemptId)>();
        foreach (var node in fleet.Nodes.Take(2))
        {
            for (var i = 0; i < WorkersPerNode; i++)
            {
                var teacher = await data.CreateTeacherAsync();
                var client = await node.TeacherClientAsync(teacher.Code, teacher.Password);
                var attempt = await (await client.PostAsync("/api/exams/1/attempts", null)).Content.ReadFromJsonAsync<AttemptBody>();
                workers.Add((client, attempt!.AttemptId));
            }
        }
        using var stop = new CancellationTokenSource();
        var load = workers.Select(w => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                _statuses.Add((await w.Client.PutAsJsonAsync($"/api/attempts/{w.AttemptId}/answers", new { answers = new[] { new { questionId, optionId } } })).StatusCode);
                _statuses.Add((await w.Client.GetAsync($"/api/attempts/{w.AttemptId}")).StatusCode);
            }
        })).ToList();

        var restarted = false;
        try
        {
            await SharesAsync(20, "60 over three nodes");
            await ServedAsync("before node-3 leaves");
            await fleet.StopAsync(2);
            await SharesAsync(30, "60 over the two nodes left", nodes: 2);
            await ServedAsync("on the shares of two nodes");
            fleet.Restart(2);
            restarted = true;
            await SharesAsync(20, "60 over three nodes again");
            await ServedAsync("after the shares moved back");
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(load);
            if (!restarted)
            {
                fleet.Restart(2);
            }
        }

        var failed = _statuses.Where(s => s is not (HttpStatusCode.NoContent or HttpStatusCode.OK)).ToList();
        Assert.True(failed.Count == 0, $"{failed.Count} of {_statuses.Count} requests failed: {string.Join(", ", failed.Distinct())}");
    }

    private readonly ConcurrentBag<HttpStatusCode> _statuses = [];

    /// <summary>Waits until 100 more requests were answered: each phase is served, not just passed through.</summary>
    private Task ServedAsync(string phase)
    {
        var from = _statuses.Count;
        return Eventually.TrueAsync(() => _statuses.Count >= from + 100, $"100 more requests answered {phase}", TimeSpan.FromSeconds(30));
    }

    private async Task SharesAsync(int share, string what, int nodes = 3)
    {
        for (var i = 0; i < nodes; i++)
        {
            var index = i;
            await Eventually.TrueAsync(() => fleet.Service<OperatorActions>(index).Pool().MaxSize == share, $"node-{index + 1} holds {share} ({what})", TimeSpan.FromSeconds(10));
        }
    }

    private sealed record AttemptBody(long AttemptId);
}
