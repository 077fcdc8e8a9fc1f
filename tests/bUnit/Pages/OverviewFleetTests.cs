using ExamConsole.Console.Components.Pages;
using ExamConsole.Console.Tests.Fakes;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using FleetPage = ExamConsole.Console.Components.Pages.Fleet;

namespace ExamConsole.Console.Tests.Pages;

public sealed class OverviewFleetTests : ConsoleTest
{
    private static string Figure(IRenderedComponent<Overview> cut, string id) =>
        cut.Find($"[data-testid={id}] .figure-value").TextContent.Trim();

    private void TwoNodesAndADeadOne()
    {
        Fleet.Nodes.Clear();
        Fleet.Nodes.Add(FleetSamples.Node("node-1", self: true, maxSize: 50, busy: 30, spoolDepth: 2, requestsPerSecond: 100));
        Fleet.Nodes.Add(FleetSamples.Node("node-2", maxSize: 50, busy: 10, circuit: "half_open", requestsPerSecond: 50, settingsVersion: 1));
        // A dead node's last figures are of the past: listed, not added up.
        Fleet.Nodes.Add(FleetSamples.Node("node-3", alive: false, maxSize: 50, busy: 50, spoolDepth: 99, circuit: "isolated"));
        Fleet.Settings = FleetSamples.Settings(2);
    }

    [Fact]
    public async Task Overview_SwitchedToFleet_ShowsTheLiveNodesAddedUp()
    {
        TwoNodesAndADeadOne();
        var cut = RenderPage<Overview>(Viewer);
        Assert.Equal("12", Figure(cut, "busy"));
        Assert.Equal(0, Fleet.Reads);

        Assert.Equal("true", cut.Find("[data-testid=view-node]").GetAttribute("aria-pressed"));

        await cut.InvokeAsync(() => cut.Find("[data-testid=view-fleet]").Click());

        Assert.Equal("true", cut.Find("[data-testid=view-fleet]").GetAttribute("aria-pressed"));
        Assert.Equal("false", cut.Find("[data-testid=view-node]").GetAttribute("aria-pressed"));
        Assert.Equal("40", Figure(cut, "fleet-busy"));
        Assert.Equal("100", Figure(cut, "fleet-max"));
        Assert.Equal("48", Figure(cut, "fleet-open"));
        Assert.Equal("yellow", cut.Find("[data-testid=fleet-utilization] [data-testid=gauge]").GetAttribute("data-band"));
        Assert.Contains("40.0 %", cut.Find("[data-testid=fleet-utilization]").TextContent);
        Assert.Equal("150", Figure(cut, "fleet-rps"));
        Assert.Equal("2", Figure(cut, "fleet-spool"));
        Assert.Equal("2 of 3", Figure(cut, "fleet-live"));
        Assert.Equal("v2", Figure(cut, "fleet-version"));
        Assert.Contains("2 node(s) behind", cut.Find("[data-testid=fleet-version]").TextContent);
        Assert.Equal("worst circuit half_open", cut.Find("[data-testid=fleet-circuit]").TextContent.Trim());
        Assert.Empty(cut.FindAll("[data-testid=busy]"));
    }

    [Fact]
    public async Task Overview_Fleet_Refreshes_ThenBackToThisNode_StopsReadingTheFleet()
    {
        TwoNodesAndADeadOne();
        var cut = RenderPage<Overview>(Viewer);
        await cut.InvokeAsync(() => cut.Find("[data-testid=view-fleet]").Click());

        Fleet.Nodes[1] = FleetSamples.Node("node-2", maxSize: 50, busy: 40);
        Time.Advance(FleetPage.RefreshPeriod);
        cut.WaitForAssertion(() => Assert.Equal("70", Figure(cut, "fleet-busy")), TimeSpan.FromSeconds(5));

        await cut.InvokeAsync(() => cut.Find("[data-testid=view-node]").Click());
        var reads = Fleet.Reads;
        Time.Advance(FleetPage.RefreshPeriod * 3);

        Assert.Equal("12", Figure(cut, "busy"));
        Assert.Equal(reads, Fleet.Reads);
        Assert.Empty(cut.FindAll("[data-testid=fleet-overview]"));
    }

    [Fact]
    public void Overview_OpenedWithViewFleet_ShowsTheFleet()
    {
        TwoNodesAndADeadOne();
        Services.GetRequiredService<NavigationManager>().NavigateTo("/?view=fleet");

        var cut = RenderPage<Overview>(Viewer);

        Assert.Equal("40", Figure(cut, "fleet-busy"));
    }
}
