using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.Versioning;
using ExamConsole.Api.Tests.Admin;
using ExamConsole.Testing;

namespace ExamConsole.Api.Tests.Faults;

/// <summary>
/// A restart signs no one out: with <c>Auth:SigningKeyFile</c> the key outlives the process, so the
/// tokens issued before a SIGKILL are accepted by the next process; without it they are not.
/// </summary>
[Collection(FaultCollection.Name)]
[UnsupportedOSPlatform("windows")]
public sealed class SigningKeyRestartTests(FaultFixture fixture) : IDisposable
{
    private static readonly TimeSpan ReadyWithin = TimeSpan.FromSeconds(60);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "examconsole-restart-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task TeacherAndOperatorTokens_WithAKeyFile_AreStillAcceptedAfterSigkillAndRestart()
    {
        var keyFile = Path.Combine(_directory, "signing-key");
        var environment = HostEnvironment(keyFile);
        var teacher = await fixture.Data.CreateTeacherAsync();
        string teacherToken;
        string operatorToken;
        await using (var host = await HostProcess.StartAsync(environment, ReadyWithin))
        {
            teacherToken = await TeacherTokenAsync(host.Address, teacher);
            operatorToken = await OperatorTokenAsync(host.Address);
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(host.Address, "/api/exams", teacherToken));
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(host.Address, "/api/admin/pool", operatorToken));
            await host.KillAsync();
        }
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));

        await using (var restarted = await HostProcess.StartAsync(environment, ReadyWithin))
        {
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(restarted.Address, "/api/exams", teacherToken));
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(restarted.Address, "/api/admin/pool", operatorToken));
        }
    }

    [Fact]
    public async Task TeacherToken_WithoutAKeyFile_IsRefusedAfterSigkillAndRestart()
    {
        var environment = HostEnvironment(keyFile: null);
        var teacher = await fixture.Data.CreateTeacherAsync();
        string teacherToken;
        await using (var host = await HostProcess.StartAsync(environment, ReadyWithin))
        {
            teacherToken = await TeacherTokenAsync(host.Address, teacher);
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(host.Address, "/api/exams", teacherToken));
            await host.KillAsync();
        }

        await using (var restarted = await HostProcess.StartAsync(environment, ReadyWithin))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(restarted.Address, "/api/exams", teacherToken));
        }
    }

    private Dictionary<string, string> HostEnvironment(string? keyFile)
    {
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Exam"] = fixture.Postgres.ConnectionString,
            ["Spool__Directory"] = Path.Combine(_directory, "spool"),
            // Empty, whatever the test runner's environment holds: the key must come from the file or nowhere.
            ["Auth__SigningKey"] = "",
            ["Admin__InitialPassword"] = ExamHostFactory.AdminPassword,
            ["Seed__Teachers"] = "40",
            ["Seed__Exams"] = "3",
            ["Seed__QuestionsPerExam"] = "10",
            ["Pool__MaxSize"] = "10",
            ["Pool__MinSize"] = "0",
            ["Pool__ServerReserve"] = "20",
        };
        if (keyFile is not null)
        {
            environment["Auth__SigningKeyFile"] = keyFile;
        }
        return environment;
    }

    private static async Task<string> TeacherTokenAsync(Uri address, TestData.TestTeacher teacher)
    {
        using var client = new HttpClient { BaseAddress = address };
        var login = await client.PostAsJsonAsync("/api/auth/login", new { teacherCode = teacher.Code, password = teacher.Password });
        login.EnsureSuccessStatusCode();
        return (await login.Content.ReadFromJsonAsync<TokenBody>())!.Token;
    }

    private static async Task<string> OperatorTokenAsync(Uri address)
    {
        using var client = new HttpClient { BaseAddress = address };
        var login = await client.PostAsJsonAsync("/api/admin/auth/login", new { username = "admin", password = ExamHostFactory.AdminPassword });
        login.EnsureSuccessStatusCode();
        var body = (await login.Content.ReadFromJsonAsync<AdminLoginBody>())!;
        Assert.Equal("operator", body.Role);
        return body.Token;
    }

    private static async Task<HttpStatusCode> StatusAsync(Uri address, string path, string token)
    {
        using var client = new HttpClient { BaseAddress = address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return (await client.GetAsync(path)).StatusCode;
    }

    private sealed record TokenBody(string Token);
}
