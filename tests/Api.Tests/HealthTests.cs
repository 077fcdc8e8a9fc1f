using System.Net;

namespace ExamConsole.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class HealthTests(ApiFixture fixture)
{
    [Fact]
    public async Task Live_WhileProcessRuns_Answers200()
    {
        using var client = fixture.Factory.CreateClient();
        var response = await client.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Ready_WithMigratedDatabase_Answers200()
    {
        using var client = fixture.Factory.CreateClient();
        var response = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
