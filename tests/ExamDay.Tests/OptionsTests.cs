namespace ExamConsole.ExamDay.Tests;

public sealed class OptionsTests
{
    [Fact]
    public void Parse_Quick_GivesTheQuickRunAndLetsOptionsOverrideIt()
    {
        var options = ExamDayOptions.Parse(["--url", "http://127.0.0.1:5098", "--quick", "--rate", "50", "--db", "Host=127.0.0.1"]);

        Assert.Equal(500, options.Teachers);
        Assert.Equal(50, options.ArrivalRate);
        Assert.Equal("Host=127.0.0.1", options.Database);
        Assert.Equal(new Uri("http://127.0.0.1:5098"), options.BaseUrl);
    }

    [Theory]
    [InlineData("--teachers", "0")]
    [InlineData("--rate", "fast")]
    [InlineData("--connections", "many")]
    [InlineData("--unknown", "1")]
    public void Parse_BadOption_IsRefusedNamingIt(string name, string value)
    {
        var error = Assert.Throws<ArgumentException>(() => ExamDayOptions.Parse(["--url", "http://127.0.0.1:5098", name, value]));

        Assert.Contains(name, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_NonLoopbackTarget_IsRefused()
    {
        var options = new ExamDayOptions { BaseUrl = new Uri("http://192.0.2.10:5080") };

        Assert.Throws<ArgumentException>(() => new ExamDayRun(options));
    }

    [Fact]
    public void SourceAddresses_AreUsedOnlyWhenOneAddressWouldRunOutOfPorts()
    {
        var target = new Uri("http://127.0.0.1:5098");
        var ports = SourceAddresses.EphemeralPorts();

        Assert.Null(SourceAddresses.For(target, peakConnections: 1000, requested: null));
        Assert.Null(SourceAddresses.For(target, peakConnections: ports * 4, requested: 0));
        Assert.Null(SourceAddresses.For(new Uri("http://[::1]:5098"), peakConnections: ports * 4, requested: null));
        var spread = SourceAddresses.For(target, peakConnections: ports * 2, requested: null);
        Assert.NotNull(spread);
        Assert.Equal("127.0.0.2", spread.Addresses[0].ToString());
        Assert.True(spread.Addresses.Count >= 3, $"{spread.Addresses.Count} addresses for twice the port range");
    }
}
