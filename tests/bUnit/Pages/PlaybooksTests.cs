using ExamConsole.Api.Admin;
using ExamConsole.Console.Components.Pages;

namespace ExamConsole.Console.Tests.Pages;

public sealed class PlaybooksTests : ConsoleTest
{
    [Fact]
    public void Playbooks_ShowBothProcedures_WithTheirStepsInOrder()
    {
        var cut = RenderPage<Playbooks>(Viewer);

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-step]")), TimeSpan.FromSeconds(5));
        var high = cut.Find($"[data-testid=procedure-{EmergencyPlaybook.HighUsage}]");
        Assert.Contains("High connection usage (> 70 %)", high.TextContent);
        Assert.Equal(["query-performance", "leaks", EmergencyPlaybook.ReduceConnections], high.QuerySelectorAll("[data-step]").Select(s => s.GetAttribute("data-step")));
        var exhaustion = cut.Find($"[data-testid=procedure-{EmergencyPlaybook.Exhaustion}]");
        Assert.Contains("Pool exhaustion", exhaustion.TextContent);
        Assert.Contains("max 250", exhaustion.TextContent);
    }

    [Fact]
    public void Playbooks_ForAViewer_HaveNoEnabledAction()
    {
        var cut = RenderPage<Playbooks>(Viewer);

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid^=apply-]")), TimeSpan.FromSeconds(5));
        Assert.All(cut.FindAll("[data-testid^=apply-], [data-testid^=revert-]"), b => Assert.True(b.HasAttribute("disabled")));
    }

    [Fact]
    public async Task Playbooks_ApplyThenRevertAStep_AsTheOperator()
    {
        var cut = RenderPage<Playbooks>(Operator);
        var apply = $"[data-testid=apply-{EmergencyPlaybook.OpenCircuit}]";
        var revert = $"[data-testid=revert-{EmergencyPlaybook.OpenCircuit}]";
        cut.WaitForAssertion(() => Assert.False(cut.Find(apply).HasAttribute("disabled")), TimeSpan.FromSeconds(5));
        Assert.True(cut.Find(revert).HasAttribute("disabled"));

        await cut.InvokeAsync(() => cut.Find(apply).Click());
        var dialog = DialogHost();
        await dialog.InvokeAsync(() => dialog.Find("[data-testid=apply]").Click());
        cut.WaitForAssertion(() => Assert.Equal("yes", cut.Find($"[data-step={EmergencyPlaybook.OpenCircuit}]").GetAttribute("data-applied")), TimeSpan.FromSeconds(5));

        await cut.InvokeAsync(() => cut.Find(revert).Click());
        await dialog.InvokeAsync(() => dialog.Find("[data-testid=apply]").Click());

        Assert.Equal([$"olga: apply {EmergencyPlaybook.OpenCircuit}", $"olga: revert {EmergencyPlaybook.OpenCircuit}"], Playbook.Calls);
    }
}
