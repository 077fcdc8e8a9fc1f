using ExamConsole.Console.Components.Dialogs;
using ExamConsole.Console.Components.Layout;
using MudBlazor;

namespace ExamConsole.Console.Tests.Dialogs;

public sealed class ConfirmChangeDialogTests : ConsoleTest
{
    private Task<IRenderedComponent<MudDialogProvider>> OpenAsync(ConsoleUser user, Func<Task<string>> apply) =>
        ShowDialogAsync<ConfirmChangeDialog>(new DialogParameters<ConfirmChangeDialog>
        {
            { d => d.Rows, [new ChangeRow("circuit", "closed", "isolated")] },
            { d => d.Apply, apply },
            { d => d.User, user },
        });

    [Fact]
    public async Task Dialog_ShowsNowAndAfter_AndApplies()
    {
        var applied = 0;
        var dialog = await OpenAsync(Operator, () => { applied++; return Task.FromResult("done"); });

        Assert.Equal("closed", dialog.Find("[data-cell=now]").TextContent.Trim());
        Assert.Equal("isolated", dialog.Find("[data-cell=after]").TextContent.Trim());
        await dialog.InvokeAsync(() => dialog.Find("[data-testid=apply]").Click());

        Assert.Equal(1, applied);
    }

    [Fact]
    public async Task Dialog_KeepsAFailure_InTheDialog()
    {
        var dialog = await OpenAsync(Operator, () => throw new InvalidOperationException("The database role may not signal backend 42."));

        await dialog.InvokeAsync(() => dialog.Find("[data-testid=apply]").Click());

        Assert.Contains("may not signal backend 42", dialog.Find("[data-testid=dialog-error]").TextContent);
    }

    [Fact]
    public async Task Dialog_ForAViewer_IsDisabled()
    {
        var applied = 0;
        var dialog = await OpenAsync(Viewer, () => { applied++; return Task.FromResult("done"); });

        Assert.True(dialog.Find("[data-testid=apply]").HasAttribute("disabled"));
        Assert.NotNull(dialog.Find("[data-testid=read-only]"));
        Assert.Equal(0, applied);
    }
}
