using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using ExamConsole.Api.Admin;
using ExamConsole.Api.Tests.Admin;
using ExamConsole.Testing;

namespace ExamConsole.Api.Tests.Faults;

/// <summary>
/// The security stamp check reads the database, but an outage of the database must not lock the
/// operators out (nor answer 500) just when they need the circuit controls: the last known stamp
/// stays in force.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class AdminSessionOutageTests(FaultFixture fixture)
{
    [Fact]
    public async Task OperatorToken_WhilePostgresIsDown_IsStillAcceptedPastTheStampCache()
    {
        var account = await AdminClients.CreateAccountAsync(fixture.Factory, AdminPolicies.OperatorRole);
        using var client = fixture.Factory.CreateClient();
        var login = await client.PostAsJsonAsync("/api/admin/auth/login", new { username = account.Username, password = account.Password });
        login.EnsureSuccessStatusCode();
        using var operatorClient = ApiFixture.ClientWithToken(fixture.Factory, (await login.Content.ReadFromJsonAsync<AdminLoginBody>())!.Token);
        Assert.Equal(HttpStatusCode.OK, (await operatorClient.GetAsync("/api/admin/circuit")).StatusCode);

        await fixture.Postgres.Server.StopServerAsync("immediate");
        try
        {
            // Past the 2 s stamp cache, so that reads of the stamp are tried and fail; the circuit status needs no database.
            var down = Stopwatch.StartNew();
            await Eventually.UntilAsync(
                async () =>
                {
                    Assert.Equal(HttpStatusCode.OK, (await operatorClient.GetAsync("/api/admin/circuit")).StatusCode);
                    return down.Elapsed;
                },
                elapsed => elapsed > TimeSpan.FromSeconds(4),
                "4 s of the operator's requests during the outage",
                TimeSpan.FromSeconds(20));
        }
        finally
        {
            await fixture.Postgres.Server.StartServerAsync();
        }
    }
}
