using System.Net;
using System.Net.Sockets;
using ExamConsole.Api.Infrastructure;
using ExamConsole.Data.Telemetry.Readiness;
using ExamConsole.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ExamConsole.Api.Tests;

public sealed class MetricsEndpointProbeTests : IAsyncLifetime
{
    private WebApplication? _app;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.MapGet("/metrics", () => Results.Text("# TYPE up gauge\nup 1\n"));
        await _app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private static MetricsEndpointProbe Probe(ReadinessOptions options, IServiceProvider? services = null) =>
        new(new PlainHttpClientFactory(), services ?? new ServiceCollection().BuildServiceProvider(), Options.Create(options));

    [Fact]
    public async Task Check_RunningServerServingMetrics_AnswersOkAtItsFirstAddress()
    {
        var check = await Probe(new ReadinessOptions(), _app!.Services).CheckAsync(CancellationToken.None);

        Assert.True(check.Ok, check.Actual);
        Assert.Equal($"HTTP 200 from {_app.Urls.First()}/metrics", check.Actual);
        Assert.Null(check.Advice);
    }

    [Fact]
    public async Task Check_ConfiguredUrlThatAnswers404_FailsWithTheStatus()
    {
        var url = $"{_app!.Urls.First()}/nothing-here";

        var check = await Probe(new ReadinessOptions { MetricsUrl = url }).CheckAsync(CancellationToken.None);

        Assert.False(check.Ok);
        Assert.Equal($"HTTP 404 from {url}", check.Actual);
        Assert.Contains("/metrics", check.Advice);
    }

    [Fact]
    public async Task Check_NoServerAddressAndNoUrl_FailsAndSaysToConfigureOne()
    {
        var check = await Probe(new ReadinessOptions()).CheckAsync(CancellationToken.None);

        Assert.False(check.Ok);
        Assert.Contains("no listening address", check.Actual);
        Assert.Contains("Readiness:MetricsUrl", check.Advice);
    }

    [Fact]
    public async Task Check_EndpointThatNeverAnswers_FailsAtTheTimeout()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/metrics";
        using var accepted = silent.AcceptSocketAsync();

        var check = await Probe(new ReadinessOptions { MetricsUrl = url, MetricsTimeout = TimeSpan.FromMilliseconds(300) }).CheckAsync(CancellationToken.None);

        Assert.False(check.Ok);
        Assert.Equal($"no answer within 0.3 s from {url}", check.Actual);
        Assert.NotNull(check.Advice);
    }

    [Theory]
    [InlineData("http://[::]:5080", "http://[::1]:5080/metrics")]
    [InlineData("http://+:80", "http://127.0.0.1:80/metrics")]
    [InlineData("http://0.0.0.0:5080/base/", "http://127.0.0.1:5080/base/metrics")]
    [InlineData("https://localhost:7001", "https://localhost:7001/metrics")]
    public void DefaultUrl_OfAServerAddress_IsThatAddressWithMetricsAndLoopbackForWildcards(string address, string expected) =>
        Assert.Equal(expected, MetricsEndpointProbe.DefaultUrl([address]));

    [Fact]
    public void DefaultUrl_SkipsUnixSocketsAndIsNullWithoutAddresses()
    {
        Assert.Equal("http://127.0.0.1:5/metrics", MetricsEndpointProbe.DefaultUrl(["http://unix:/tmp/x.sock", "http://127.0.0.1:5"]));
        Assert.Null(MetricsEndpointProbe.DefaultUrl([]));
    }
}
