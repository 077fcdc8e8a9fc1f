using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using ExamConsole.Api.Submissions.Spool;
using ExamConsole.Testing;

namespace ExamConsole.Api.Tests.Faults;

[Collection(FaultCollection.Name)]
public sealed class HostKillTests(FaultFixture fixture)
{
    private const int Submissions = 40;
    private const string SigningKey = "host-kill-test-signing-key-of-32-bytes!!";

    [Fact]
    public async Task SpooledSubmissions_WhenHostIsKilledMidWrite_AreReplayedAfterRestart()
    {
        var spoolDirectory = Path.Combine(Path.GetTempPath(), "examconsole-kill-" + Guid.NewGuid().ToString("N"));
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Exam"] = fixture.Postgres.ConnectionString,
            ["Spool__Directory"] = spoolDirectory,
            ["Spool__ReplayInterval"] = "00:00:00.200",
            ["Auth__SigningKey"] = SigningKey,
            ["Pool__MaxSize"] = "10",
            ["Pool__MinSize"] = "0",
            ["Pool__ServerReserve"] = "20",
            // Every submission goes to the spool, so that the spool holds them when the process dies.
            ["Submit__ForceFallback"] = "true",
        };
        var accepted = new List<Guid>();
        await using (var host = await HostProcess.StartAsync(environment, TimeSpan.FromSeconds(60)))
        {
            foreach (var teacher in await Task.WhenAll(Enumerable.Range(0, Submissions).Select(_ => fixture.Data.CreateTeacherAsync())))
            {
                using var client = await LoginAsync(host.Address, teacher);
                var attempt = await (await client.PostAsync("/api/exams/1/attempts", null)).Content.ReadFromJsonAsync<AttemptBody>();
                var submissionId = Guid.NewGuid();
                var response = await client.PostAsJsonAsync($"/api/attempts/{attempt!.AttemptId}/submit", new { submissionId, answers = Array.Empty<object>() });
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                accepted.Add(submissionId);
            }
            await host.KillAsync();
        }
        Assert.Equal(0, await CountAsync(accepted));

        // A crash in the middle of the next write leaves half a record at the end of the file.
        var spoolFile = Path.Combine(spoolDirectory, SubmissionSpool.FileName);
        await using (var file = new FileStream(spoolFile, FileMode.Append))
        {
            await file.WriteAsync(new byte[] { 200, 0, 0, 0, 1, 2, 3, 4, 123, 34 });
        }

        environment["Submit__ForceFallback"] = "false";
        await using (await HostProcess.StartAsync(environment, TimeSpan.FromSeconds(60)))
        {
            await Eventually.TrueAsync(async () => await CountAsync(accepted) >= Submissions, "the restarted host to replay the spool", TimeSpan.FromSeconds(60));
        }

        Assert.Equal(Submissions, await CountAsync(accepted));
        foreach (var submissionId in accepted)
        {
            Assert.Equal(1, await fixture.Data.ScalarAsync<long>("SELECT count(*) FROM submissions WHERE submission_id = @s", ("s", submissionId)));
        }
        Assert.Single(Directory.GetFiles(spoolDirectory, SubmissionSpool.FileName + ".torn-*"));
        Directory.Delete(spoolDirectory, recursive: true);
    }

    private async Task<long> CountAsync(List<Guid> submissionIds) =>
        await fixture.Data.ScalarAsync<long>("SELECT count(*) FROM submissions WHERE submission_id = ANY(@ids)", ("ids", submissionIds.ToArray()));

    private static async Task<HttpClient> LoginAsync(Uri address, TestData.TestTeacher teacher)
    {
        var client = new HttpClient { BaseAddress = address };
        var login = await client.PostAsJsonAsync("/api/auth/login", new { teacherCode = teacher.Code, password = teacher.Password });
        login.EnsureSuccessStatusCode();
        var token = (await login.Content.ReadFromJsonAsync<TokenBody>())!.Token;
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private sealed record AttemptBody(long AttemptId);

    private sealed record TokenBody(string Token);
}
