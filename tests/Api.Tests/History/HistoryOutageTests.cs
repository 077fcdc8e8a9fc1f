using System.Net;
using ExamConsole.Api.History;
using ExamConsole.Data.History;
using ExamConsole.Testing;

namespace ExamConsole.Api.Tests.History;

/// <summary>PostgreSQL stopped under a running host: teachers are still served, and the seconds sampled meanwhile are written once it is back.</summary>
[Collection(HistoryOutageCollection.Name)]
public sealed class HistoryOutageTests(HistoryOutageFixture fixture)
{
    [Fact]
    public async Task A_database_outage_fails_no_teacher_request_and_loses_no_buffered_second()
    {
        using var teacher = await fixture.Host.TeacherClientAsync("T0000001", "pass-0000001");
        var recorder = fixture.Service<HistoryRecorder>();
        // The exam list is served from the node's memory once read: what a teacher does during an outage.
        Assert.Equal(HttpStatusCode.OK, (await teacher.GetAsync("/api/exams")).StatusCode);
        Assert.True(await recorder.FlushAsync(CancellationToken.None));
        var statuses = new List<HttpStatusCode>();

        await fixture.Postgres.Server.StopServerAsync("immediate");
        List<DateTimeOffset> waiting;
        try
        {
            // The node's own timer samples on; its writer fails and keeps the seconds.
            await Eventually.TrueAsync(async () =>
            {
                statuses.Add((await teacher.GetAsync("/api/exams")).StatusCode);
                return recorder.BufferedSeconds().Count >= 5;
            }, "five seconds sampled while PostgreSQL is down", TimeSpan.FromSeconds(60));
            Assert.False(await recorder.FlushAsync(CancellationToken.None), "a flush with the database away fails and keeps the buffer");
            waiting = [.. recorder.BufferedSeconds()];
        }
        finally
        {
            await fixture.Postgres.Server.StartServerAsync();
        }

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.NotEmpty(statuses);
        Assert.Equal(0, recorder.DroppedTotal);
        await Eventually.TrueAsync(() => recorder.FlushAsync(CancellationToken.None), "the buffer to be written once PostgreSQL is back", TimeSpan.FromSeconds(30));
        var points = await fixture.Service<HistoryReader>().PointsAsync(waiting[0], waiting[^1].AddSeconds(1), 1, HistoryStore.Raw, "history-main", CancellationToken.None);
        var written = points.Select(p => p.At).ToHashSet();
        Assert.All(waiting, at => Assert.Contains(at, written));
    }
}
