using AngleSharp.Dom;
using ExamConsole.Console.Components.Dialogs;
using ExamConsole.Console.Components.Layout;
using MudBlazor;

namespace ExamConsole.Console.Tests.Dialogs;

public sealed class ThrottleDialogTests : ConsoleTest
{
    private Task<IRenderedComponent<MudDialogProvider>> OpenAsync(ConsoleUser user) =>
        ShowDialogAsync<ThrottleDialog>(new DialogParameters<ThrottleDialog>
        {
            { d => d.CurrentMaxConcurrent, 1024 },
            { d => d.CurrentQueueLimit, 4096 },
            { d => d.User, user },
        });

    private static IElement Input(IRenderedComponent<MudDialogProvider> dialog, string id) =>
        dialog.Find($"input#{id}, #{id} input");

    [Fact]
    public async Task Dialog_RefusesAZeroConcurrencyLimit_WithTheAPIsMessage()
    {
        var dialog = await OpenAsync(Operator);

        await dialog.InvokeAsync(() => Input(dialog, "max-concurrent").Change("0"));

        Assert.Contains("maxConcurrent must be between 1 and 1000000", dialog.Find("[data-testid=error-maxConcurrent]").TextContent);
        Assert.True(dialog.Find("[data-testid=apply]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task Dialog_AppliesNewLimits_AndAnEmptyFieldLiftsOne()
    {
        var dialog = await OpenAsync(Operator);

        await dialog.InvokeAsync(() => Input(dialog, "max-concurrent").Change("256"));
        await dialog.InvokeAsync(() => Input(dialog, "queue-limit").Change(""));
        Assert.Equal(["256", "none"], dialog.FindAll("[data-cell=after]").Select(c => c.TextContent.Trim()));
        await dialog.InvokeAsync(() => dialog.Find("[data-testid=apply]").Click());

        Assert.Equal(["olga: throttle 256/none"], Operations.Calls);
    }

    [Fact]
    public async Task Dialog_ForAViewer_CannotApply()
    {
        var dialog = await OpenAsync(Viewer);

        await dialog.InvokeAsync(() => Input(dialog, "max-concurrent").Change("256"));

        Assert.True(dialog.Find("[data-testid=apply]").HasAttribute("disabled"));
    }
}
