using System.Net;
using ExamConsole.Testing;

namespace ExamConsole.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class MetricsTests(ApiFixture fixture)
{
    [Fact]
    public async Task Metrics_AfterTeacherTraffic_ExposesNpgsqlEngineAndRouteLatency()
    {
        // A host of its own: meters are process-wide, and another test host being disposed while this one
        // is scraped would take instruments of the same name with it (one host per process in production).
        await using var host = new ExamHostFactory(fixture.ConnectionString);
        var teacher = await fixture.Data.CreateTeacherAsync();
        using var client = await host.TeacherClientAsync(teacher.Code, teacher.Password);
        (await client.GetAsync("/api/exams")).EnsureSuccessStatusCode();

        var response = await client.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("db_client_connection_count", text);
        Assert.Contains("db_client_connection_pool_name=\"exam\"", text);
        Assert.Contains("examconsole_pool_acquire_duration_seconds_bucket", text);
        Assert.Contains("examconsole_pool_hold_duration_seconds", text);
        Assert.Contains("examconsole_pool_utilization", text);
        // The admission limit in force (64, fixed, by default), beside what is in flight.
        Assert.Contains("examconsole_admission_limit", text);
        Assert.Contains("examconsole_admission_in_flight", text);
        Assert.Contains("http_server_request_duration_seconds_bucket", text);
        Assert.Contains("http_route=\"/api/auth/login\"", text);
    }
}
