using ExamConsole.Console.Components.Pages;
using ExamConsole.Console.Model;
using ExamConsole.Console.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;

namespace ExamConsole.Console.Tests.Pages;

public sealed class OverviewTests : ConsoleTest
{
    private static string Figure(IRenderedComponent<Overview> cut, string id) =>
        cut.Find($"[data-testid={id}] .figure-value").TextContent.Trim();

    [Fact]
    public void Overview_ShowsTheLatestSample()
    {
        Feed.Publish(Samples.Sample(busy: 71, maxSize: 100, circuit: "open", spoolDepth: 5, shedPerSecond: 12.5));

        var cut = RenderPage<Overview>(Viewer);

        Assert.Equal("71", Figure(cut, "busy"));
        Assert.Equal("100", Figure(cut, "max"));
        Assert.Equal("red", cut.Find("[data-testid=gauge]").GetAttribute("data-band"));
        Assert.Contains("circuit open", cut.Find("[data-testid=circuit-state]").TextContent);
        Assert.Equal("5", Figure(cut, "spool-depth"));
        Assert.Equal("42 s", Figure(cut, "spool-oldest"));
        Assert.Equal("12.5", Figure(cut, "shed"));
        Assert.Equal("4", Figure(cut, "backends-active"));
        Assert.Equal("200.0 MiB", Figure(cut, "working-set"));
    }

    [Fact]
    public void Overview_ShowsTheHistoryAtOnce()
    {
        for (var i = 1; i <= 120; i++)
        {
            Feed.Publish(Samples.Sample(busy: i % 50, at: Samples.Start.AddSeconds(i)));
        }

        var cut = RenderPage<Overview>(Viewer);

        Assert.Contains("121 samples from 09:00:00 to 09:02:00 UTC", cut.Markup);
    }

    [Fact]
    public void Overview_UpdatesLive_WhenTheFeedPublishes()
    {
        var cut = RenderPage<Overview>(Viewer);
        Assert.Equal("12", Figure(cut, "busy"));

        PublishLive(Samples.Sample(busy: 35, at: Samples.Start.AddSeconds(1)));

        cut.WaitForAssertion(() => Assert.Equal("35", Figure(cut, "busy")), TimeSpan.FromSeconds(5));
        Assert.Equal("yellow", cut.Find("[data-testid=gauge]").GetAttribute("data-band"));
    }

    [Fact]
    public async Task Overview_Paused_KeepsWhatItShowed_UntilResumed()
    {
        var paused = RenderPage<Overview>(Viewer);
        // A second, live page hears the same sample: once it shows it, the paused one had its chance too.
        var live = RenderPage<Overview>(Viewer, providers: false);
        await paused.InvokeAsync(() => paused.Find("[data-testid=pause]").Click());
        Assert.Contains("Resume", paused.Find("[data-testid=pause]").TextContent);

        PublishLive(Samples.Sample(busy: 80, at: Samples.Start.AddSeconds(1)));

        live.WaitForAssertion(() => Assert.Equal("80", Figure(live, "busy")), TimeSpan.FromSeconds(5));
        Assert.Equal("12", Figure(paused, "busy"));
        Assert.Contains("paused at 09:00:00", paused.Find("[data-testid=paused-at]").TextContent);

        await paused.InvokeAsync(() => paused.Find("[data-testid=pause]").Click());
        paused.WaitForAssertion(() => Assert.Equal("80", Figure(paused, "busy")), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Overview_ColoursAcquirePercentiles_AgainstTheTarget()
    {
        Feed.Publish(Samples.Sample() with { Pool = Samples.Pool(acquireP99: 150) });

        var cut = RenderPage<Overview>(Viewer);

        Assert.Contains("band-green", cut.Find("[data-testid=acquire-p95] .figure-value").ClassName);
        Assert.Contains("band-red", cut.Find("[data-testid=acquire-p99] .figure-value").ClassName);
        Assert.Contains("target < 100 ms", cut.Find("[data-testid=acquire]").TextContent);
    }

    [Fact]
    public async Task Overview_Closed_EndsItsSubscription()
    {
        RenderPage<Overview>(Viewer);
        Assert.Equal(1, Feed.Subscribers);

        await DisposeComponentsAsync();

        Assert.Equal(0, Feed.Subscribers);
    }

    [Fact]
    public void Overview_BeforeTheFirstSample_SaysItIsWaiting()
    {
        Services.AddSingleton<IConsoleFeed>(new FakeFeed());

        var cut = RenderPage<Overview>(Viewer);

        Assert.Contains("Waiting for the first sample", cut.Markup);
    }
}
