using ExamConsole.Data.Pool;

namespace ExamConsole.Data.Tests.Pool;

public sealed class PoolSizeRuleTests
{
    private static readonly ServerLimit Server = new(MaxConnections: 200, Reserve: 20);

    [Theory]
    [InlineData(1, 0)]
    [InlineData(180, 180)]
    public void Ensure_WithinBoundsAndTheServersLimit_Accepts(int maxSize, int minSize) =>
        PoolSizeRule.Ensure(maxSize, minSize, Server);

    [Fact]
    public void Ensure_OneAboveTheServersLimit_IsRefusedWithTheNumbers()
    {
        var error = Assert.Throws<PoolSizeRejectedException>(() => PoolSizeRule.Ensure(181, 0, Server));

        Assert.Equal((181, 200, 20, 180), (error.RequestedMax, error.ServerMaxConnections, error.Reserve, error.Allowed));
        Assert.Equal(
            "A pool of 181 connections does not fit: the server's max_connections is 200 and 20 are kept in reserve, so at most 180. "
            + "Raise max_connections on the server or ask for fewer.",
            error.Message);
    }

    [Fact]
    public void Ensure_AboveMaxSizeLimit_IsRefusedEvenWhenTheServerWouldTakeIt()
    {
        var error = Assert.Throws<PoolSizeInvalidException>(() => PoolSizeRule.Ensure(PoolSettings.MaxSizeLimit + 1, 0, new ServerLimit(1_000_000, 0)));

        Assert.Equal(["maxSize must be between 1 and 100000 (got 100001)."], error.Errors["maxSize"]);
    }

    [Fact]
    public void CheckBounds_ForConfigurationAndForTheApi_ReadsTheSameButForTheNames()
    {
        var api = PoolSizeRule.CheckBounds(10, 11);
        var configuration = PoolSizeRule.CheckBounds(10, 11, "Pool:MaxSize", "Pool:MinSize");

        Assert.Equal(["minSize must be between 0 and maxSize (10) (got 11)."], api["minSize"]);
        Assert.Equal(["Pool:MinSize must be between 0 and Pool:MaxSize (10) (got 11)."], configuration["Pool:MinSize"]);
        Assert.Equal(configuration["Pool:MinSize"], PoolSettingsValidator.Check(new PoolSettings { MaxSize = 10, MinSize = 11 }));
    }

    [Fact]
    public void CheckBounds_NonsenseMaximum_IsTheOnlyError()
    {
        var errors = PoolSizeRule.CheckBounds(-5, 0);

        Assert.Equal(["maxSize"], errors.Keys);
    }

    [Fact]
    public void CheckBounds_MissingValues_AreNamedAsRequired()
    {
        var errors = PoolSizeRule.CheckBounds(null, null);

        Assert.StartsWith("maxSize is required", Assert.Single(errors["maxSize"]));
        Assert.StartsWith("minSize is required", Assert.Single(errors["minSize"]));
    }

    [Fact]
    public void Describe_SaysHowTheLimitIsMadeUp() =>
        Assert.Equal("The server takes at most 180 (max_connections 200 less the reserve 20).", PoolSizeRule.Describe(Server));
}
