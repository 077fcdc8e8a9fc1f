using ExamConsole.Console.Tests.Fakes;
using FleetPage = ExamConsole.Console.Components.Pages.Fleet;

namespace ExamConsole.Console.Tests.Pages;

public sealed class FleetTests : ConsoleTest
{
    private static string[] Texts(IRenderedComponent<FleetPage> cut, string testId) =>
        cut.FindAll($"[data-testid={testId}]").Select(e => e.TextContent.Trim()).ToArray();

    [Fact]
    public void Fleet_ListsEveryNode_AliveOrNot_WithItsHeartbeatFigures()
    {
        Fleet.Nodes.Clear();
        Fleet.Nodes.Add(FleetSamples.Node("node-1", self: true, maxSize: 50, busy: 40, settingsVersion: 3, spoolDepth: 2, requestsPerSecond: 120.26));
        Fleet.Nodes.Add(FleetSamples.Node("node-2", maxSize: 50, busy: 5, settingsVersion: 2, circuit: "isolated"));
        Fleet.Nodes.Add(FleetSamples.Node("node-3", alive: false, heartbeatAgeSeconds: 75));
        Fleet.Settings = FleetSamples.Settings(3);

        var cut = RenderPage<FleetPage>(Viewer);

        var names = Texts(cut, "node-name");
        Assert.Equal(3, names.Length);
        Assert.StartsWith("node-1", names[0]);
        Assert.EndsWith("(this node)", names[0]);
        Assert.Equal(["node-2", "node-3"], names[1..]);
        Assert.Equal("http://127.0.0.1:5010", cut.Find("[data-testid=node-name] a").GetAttribute("href"));
        Assert.Equal(["alive", "alive", "stopped"], Texts(cut, "node-alive"));
        Assert.Equal(["1 s ago", "1 s ago", "1 min 15 s ago"], Texts(cut, "node-heartbeat"));
        Assert.Equal(["v3", "v2", "v1"], Texts(cut, "node-version"));
        Assert.Equal(["behind v3", "behind v3"], Texts(cut, "node-behind"));
        Assert.Equal(["50", "50", "50"], Texts(cut, "node-max"));
        Assert.Equal(["red 80.0 %", "green 10.0 %", "green 20.0 %"], Texts(cut, "node-band"));
        Assert.Equal(["closed", "isolated", "closed"], Texts(cut, "node-circuit"));
        Assert.Equal(["2", "0", "0"], Texts(cut, "node-spool"));
        Assert.Equal("120.3", Texts(cut, "node-rps")[0]);
        Assert.Contains("fixed 64 · 3 in flight · 1 queued", Texts(cut, "node-admission")[0]);
        Assert.Contains("POST /api/auth/login 4.20 ms", Texts(cut, "node-p99")[0]);
        Assert.Contains("2 live of 3 listed", cut.Find("[data-testid=live-nodes]").TextContent);
    }

    [Fact]
    public void Fleet_ShowsTheDesiredSettings_WithTheirVersionAndAuthor()
    {
        Fleet.Settings = FleetSamples.Settings(9, budget: 300);

        var cut = RenderPage<FleetPage>(Viewer);

        var settings = cut.Find("[data-testid=fleet-settings]").TextContent;
        Assert.Equal("v9", cut.Find("[data-testid=settings-version] .figure-value").TextContent.Trim());
        Assert.Equal("olga", cut.Find("[data-testid=settings-changed-by] .figure-value").TextContent.Trim());
        Assert.Equal("300", cut.Find("[data-testid=settings-pool] .figure-value").TextContent.Trim());
        Assert.Contains("2 live node(s) take 150 each", settings);
        Assert.Equal("3.00 s", cut.Find("[data-testid=settings-acquire] .figure-value").TextContent.Trim());
        Assert.Equal("each node's own", cut.Find("[data-testid=settings-throttle] .figure-value").TextContent.Trim());
    }

    [Fact]
    public void Fleet_RefreshesEveryTwoSeconds_WhileOpen()
    {
        var cut = RenderPage<FleetPage>(Viewer);
        Assert.Equal(["50", "50"], Texts(cut, "node-max"));

        Fleet.Nodes[0] = FleetSamples.Node("node-1", self: true, maxSize: 33, settingsVersion: 2);
        Fleet.Nodes[1] = FleetSamples.Node("node-2", maxSize: 33, settingsVersion: 2);
        Fleet.Nodes.Add(FleetSamples.Node("node-3", maxSize: 33, settingsVersion: 2));
        Fleet.Settings = FleetSamples.Settings(2);
        Time.Advance(FleetPage.RefreshPeriod);

        cut.WaitForAssertion(() => Assert.Equal(["33", "33", "33"], Texts(cut, "node-max")), TimeSpan.FromSeconds(5));
        Assert.Empty(cut.FindAll("[data-testid=node-behind]"));
        Assert.Equal("v2", cut.Find("[data-testid=settings-version] .figure-value").TextContent.Trim());
    }

    [Fact]
    public async Task Fleet_StopsReading_WhenClosed()
    {
        RenderPage<FleetPage>(Viewer);
        var reads = Fleet.Reads;

        await DisposeComponentsAsync();
        Time.Advance(FleetPage.RefreshPeriod * 3);

        Assert.Equal(reads, Fleet.Reads);
        Assert.Equal(1, reads);
    }

    [Fact]
    public void Fleet_SaysSo_WhenTheRegistryCannotBeRead()
    {
        Fleet.Failure = new TimeoutException("the database did not answer");

        var cut = RenderPage<FleetPage>(Viewer);

        Assert.Contains("The fleet could not be read: the database did not answer", cut.Find("[data-testid=fleet-error]").TextContent);
    }
}
