using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static ExamConsole.E2E.ConsolePage;

namespace ExamConsole.E2E;

/// <summary>The console of a fleet of two nodes on one database, each in a browser context of its own.</summary>
[Collection(FleetE2ECollection.Name)]
public sealed partial class FleetFlowTests(FleetE2EFixture fixture)
{
    [Fact]
    public async Task Resize_OnNode1sConsole_ShowsOnNode2sFleetPage_TheNewShareOnEveryNodeAndTheNewVersion()
    {
        await BrowserSession.RunAsync(fixture.Browser, fixture.Addresses[1], "fleet-01-node2-fleet-page", async node2 =>
        {
            await SignInAsOperatorAsync(node2);
            await OpenAsync(node2, "/fleet");
            // Both nodes are listed and alive, each with half of the configured budget.
            await Assertions.Expect(node2.GetByTestId("node-alive")).ToHaveTextAsync(["alive", "alive"]);
            await Assertions.Expect(node2.GetByTestId("node-max")).ToHaveTextAsync(["20", "20"]);

            long version = 0;
            await BrowserSession.RunAsync(fixture.Browser, fixture.Addresses[0], "fleet-01-node1-resize", async node1 =>
            {
                await SignInAsOperatorAsync(node1);
                await OpenAsync(node1, "/controls");
                await node1.GetByTestId("open-resize").ClickAsync();
                var dialog = node1.Locator(".mud-dialog");
                await Assertions.Expect(dialog.GetByTestId("reach")).ToContainTextAsync("Reaches 2 live nodes");
                await node1.GetByLabel("Max connections, total for the fleet").FillAsync("30");
                await node1.GetByLabel("Min connections per node").FillAsync("2");
                await Assertions.Expect(dialog.GetByTestId("fleet-share")).ToContainTextAsync("2 live node(s), each gets floor(total / 2) = 15");
                await ApplyDialogAsync(node1);

                // Each node's acknowledgement: both applied the new version, with the time they did.
                var acknowledgements = node1.GetByTestId("acknowledgements");
                await Assertions.Expect(acknowledgements.GetByTestId("ack-row")).ToHaveCountAsync(2);
                await Assertions.Expect(acknowledgements.GetByTestId("ack-at")).ToHaveTextAsync([AppliedAt(), AppliedAt()]);
                version = long.Parse(await acknowledgements.GetAttributeAsync("data-version") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
            });
            Assert.True(version > 0, "the change became a version of the fleet's settings");

            // Node 2's page, open all along, shows the new share on every node and the new version.
            await Assertions.Expect(node2.GetByTestId("settings-version").Locator(".figure-value")).ToHaveTextAsync($"v{version}");
            await Assertions.Expect(node2.GetByTestId("settings-pool").Locator(".figure-value")).ToHaveTextAsync("30");
            await Assertions.Expect(node2.GetByTestId("node-max")).ToHaveTextAsync(["15", "15"]);
            await Assertions.Expect(node2.GetByTestId("node-min")).ToHaveTextAsync(["2", "2"]);
            await Assertions.Expect(node2.GetByTestId("node-version")).ToHaveTextAsync([$"v{version}", $"v{version}"]);
            await Assertions.Expect(node2.GetByTestId("node-behind")).ToHaveCountAsync(0);
            await node2.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(E2EFixture.ArtifactsDirectory, "fleet-01-node2-fleet-page-after.png"), FullPage = true });

            // The overview added up for the fleet: the two shares make the budget.
            await OpenAsync(node2, "/?view=fleet");
            await Assertions.Expect(node2.GetByTestId("fleet-max").Locator(".figure-value")).ToHaveTextAsync("30");
            await Assertions.Expect(node2.GetByTestId("fleet-live").Locator(".figure-value")).ToHaveTextAsync("2 of 2");
            await Assertions.Expect(node2.GetByTestId("view-fleet")).ToHaveAttributeAsync("aria-pressed", "true");
        });
    }

    /// <summary>A node's acknowledgement as the console shows it: the time it applied the change, to the millisecond.</summary>
    [GeneratedRegex(@"^\d\d:\d\d:\d\d\.\d\d\d$")]
    private static partial Regex AppliedAt();
}
