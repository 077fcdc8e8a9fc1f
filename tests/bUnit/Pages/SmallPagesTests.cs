using ExamConsole.Console.Components.Pages;
using ExamConsole.Data.Admin;
using ExamConsole.Data.Pool;
using AuditPage = ExamConsole.Console.Components.Pages.Audit;

namespace ExamConsole.Console.Tests.Pages;

public sealed class LeaksTests : ConsoleTest
{
    [Fact]
    public void Leaks_WithNone_SayAllIsWell()
    {
        var cut = RenderPage<Leaks>(Viewer);

        Assert.NotNull(cut.Find("[data-testid=no-leaks]"));
        Assert.Contains("30 s", cut.Markup);
    }

    [Fact]
    public void Leaks_ListLeasesPastTheThreshold_WithTheirSource_Live()
    {
        var cut = RenderPage<Leaks>(Viewer);

        Leaks.Leaks.Add(new LeaseInfo(7, "POST /api/attempts/{attemptId}/submit", Fakes.Samples.Start, 95, 31337, 2, false));
        Leaks.Events.Add(new LeakEvent(Fakes.Samples.Start, LeakEvent.Held, 7, "POST /api/attempts/{attemptId}/submit", Fakes.Samples.Start, 31, 31337));
        PublishLive(Fakes.Samples.Sample(at: Fakes.Samples.Start.AddSeconds(1)));

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=leak]")), TimeSpan.FromSeconds(5));
        var leak = cut.Find("[data-testid=leak]").TextContent;
        Assert.Contains("POST /api/attempts/{attemptId}/submit", leak);
        Assert.Contains("1 min 35 s", leak);
        Assert.Contains("31337", leak);
        Assert.Contains("held", cut.Find("[data-testid=leak-events]").TextContent);
    }
}

public sealed class ReadinessTests : ConsoleTest
{
    [Fact]
    public void Readiness_ShowsPassAndFail_WithActualExpectedAndAdvice()
    {
        var cut = RenderPage<Readiness>(Viewer);

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-check]").Count), TimeSpan.FromSeconds(5));
        Assert.Equal("yes", cut.Find("[data-check=max_connections]").GetAttribute("data-ok"));
        var memory = cut.Find("[data-check=memory]");
        Assert.Equal("no", memory.GetAttribute("data-ok"));
        Assert.Contains("8 GiB", memory.TextContent);
        Assert.Contains(">= 16 GiB", memory.TextContent);
        Assert.Contains("Give the machine 16 GiB or more.", memory.TextContent);
        Assert.Contains("1 of 2 pass", cut.Find("[data-testid=summary]").TextContent);
    }

    [Fact]
    public async Task Readiness_EvaluatesAgain_OnRequest()
    {
        var cut = RenderPage<Readiness>(Viewer);
        cut.WaitForAssertion(() => Assert.Equal(1, Readiness.Evaluations), TimeSpan.FromSeconds(5));

        await cut.InvokeAsync(() => cut.Find("[data-testid=evaluate]").Click());

        Assert.Equal(2, Readiness.Evaluations);
    }
}

public sealed class AuditTests : ConsoleTest
{
    [Fact]
    public void Audit_ListsEveryAction_NewestFirst()
    {
        Audit.Records.Add(new AuditRecord(1, Fakes.Samples.Start, "olga", "pool.resize", "{\"maxSize\":100}", "{\"maxSize\":200}"));
        Audit.Records.Add(new AuditRecord(3, Fakes.Samples.Start.AddMinutes(2), "system", "circuit.open", null, "{\"state\":\"open\"}"));
        Audit.Records.Add(new AuditRecord(2, Fakes.Samples.Start.AddMinutes(1), "olga", "throttle.set", "{}", "{}"));

        var cut = RenderPage<Audit>(Viewer);

        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("[data-testid=audit-row]").Count), TimeSpan.FromSeconds(5));
        Assert.Equal(["3", "2", "1"], cut.FindAll("[data-testid=audit-row]").Select(r => r.GetAttribute("data-id")));
        var resize = cut.FindAll("[data-testid=audit-row]")[2].TextContent;
        Assert.Contains("olga", resize);
        Assert.Contains("2026-11-27 09:00:00", resize);
        Assert.Contains("{\"maxSize\":100}", resize);
        Assert.Contains("{\"maxSize\":200}", resize);
    }

    [Fact]
    public void Audit_AFleetChange_ShowsItsVersionAndWhenEachNodeAppliedIt()
    {
        Audit.Records.Add(new AuditRecord(4, Fakes.Samples.Start, "olga", "pool.resize", "{}", "{}")
        {
            SettingsVersion = 6,
            Applied =
            [
                new(6, Guid.NewGuid(), "node-1", Fakes.Samples.Start.AddSeconds(1)),
                new(6, Guid.NewGuid(), "node-2", Fakes.Samples.Start.AddSeconds(2)),
            ],
        });
        Audit.Records.Add(new AuditRecord(5, Fakes.Samples.Start, "olga", "spool.drain", "{}", "{}"));

        var cut = RenderPage<Audit>(Viewer);

        var cells = cut.FindAll("[data-testid=audit-applied]");
        Assert.Equal("", cells[0].TextContent.Trim());
        Assert.Equal("v6", cells[1].QuerySelector(".figure")!.TextContent.Trim());
        Assert.Equal(["node-1 09:00:01", "node-2 09:00:02"], cells[1].QuerySelectorAll(".figure-label").Select(d => d.TextContent.Trim()));
    }

    [Fact]
    public void Audit_PicksUpNewActions_Live()
    {
        var cut = RenderPage<Audit>(Viewer);
        Assert.Empty(cut.FindAll("[data-testid=audit-row]"));

        Audit.Records.Add(new AuditRecord(9, Fakes.Samples.Start, "olga", "fallback.force", "{}", "{}"));
        Time.Advance(AuditPage.RefreshPeriod);

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=audit-row]")), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Audit_ReadsTheLog_OnItsTimer_NotAtEverySample()
    {
        var cut = RenderPage<Audit>(Viewer);
        Assert.Equal(1, Audit.Reads);

        for (var i = 1; i <= 5; i++)
        {
            var renders = cut.RenderCount;
            PublishLive(Fakes.Samples.Sample(at: Fakes.Samples.Start.AddSeconds(i)));
            cut.WaitForState(() => cut.RenderCount > renders, TimeSpan.FromSeconds(5));
        }

        // Five samples in five render throttles: still short of one refresh period.
        Assert.True(5 * Options.Value.RenderThrottle < AuditPage.RefreshPeriod);
        Assert.Equal(1, Audit.Reads);
    }

    [Fact]
    public async Task Audit_Closed_ReadsTheLogNoMore()
    {
        RenderPage<Audit>(Viewer);
        Assert.Equal(1, Audit.Reads);

        await DisposeComponentsAsync();
        Time.Advance(AuditPage.RefreshPeriod * 3);

        Assert.Equal(1, Audit.Reads);
    }
}
