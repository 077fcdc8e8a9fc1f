using ExamConsole.Console.Components.Controls;
using ExamConsole.Data.Bouncer;

namespace ExamConsole.Console.Tests.Controls;

public sealed class BouncerCardTests : ConsoleTest
{
    private static BouncerFigures Figures(int waiting, double maxWaitMs) => new(
        Fakes.Samples.Start, "exam", "transaction", 7950, waiting, 180, 12, maxWaitMs, 2400, 0.8,
        new BouncerLimits(8200, 180, 20, 0, 3600, 30, "transaction", 220));

    [Fact]
    public void Direct_ShowsNothing()
    {
        var cut = Render<BouncerCard>();

        Assert.Empty(cut.FindAll("[data-testid=bouncer]"));
    }

    [Fact]
    public void InThePath_ShowsClientsBackendsAndWaits_WaitingMarked()
    {
        Bouncer.InPath = true;
        Bouncer.Latest = Figures(waiting: 35, maxWaitMs: 1250);

        var cut = Render<BouncerCard>();

        Assert.Contains("7,950", cut.Find("[data-testid=bouncer-clients]").TextContent);
        Assert.Contains("max_client_conn 8,200", cut.Find("[data-testid=bouncer-clients]").TextContent);
        Assert.Contains("of 220", cut.Find("[data-testid=bouncer-backends]").TextContent);
        Assert.Contains("band-yellow", cut.Find("[data-testid=bouncer-waiting] .figure-value").ClassName);
        Assert.Contains("1.25 s", cut.Find("[data-testid=bouncer-maxwait]").TextContent);
        Assert.Contains("band-red", cut.Find("[data-testid=bouncer-maxwait] .figure-value").ClassName);
        Assert.Empty(cut.FindAll("[data-testid=bouncer-error]"));
    }

    [Fact]
    public void Unreachable_SaysWhy_AndKeepsTheLastFigures()
    {
        Bouncer.InPath = true;
        Bouncer.Latest = Figures(waiting: 0, maxWaitMs: 0);
        Bouncer.LastError = "PgBouncer's admin console did not answer (SocketException: Connection refused)";

        var cut = Render<BouncerCard>();

        Assert.Contains("Connection refused", cut.Find("[data-testid=bouncer-error]").TextContent);
        Assert.Contains("transaction", cut.Find("[data-testid=bouncer-mode]").TextContent);
        Assert.DoesNotContain("band-yellow", cut.Find("[data-testid=bouncer-waiting] .figure-value").ClassName);
    }
}
