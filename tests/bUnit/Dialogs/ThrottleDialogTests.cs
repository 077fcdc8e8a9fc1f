using AngleSharp.Dom;
using ExamConsole.Api.Admission;
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

    private Task<IRenderedComponent<MudDialogProvider>> OpenAsync(AdmissionMode mode, int? limit) =>
        ShowDialogAsync<ThrottleDialog>(new DialogParameters<ThrottleDialog>
        {
            { d => d.CurrentMode, mode },
            { d => d.CurrentMaxConcurrent, limit },
            { d => d.CurrentQueueLimit, 4096 },
            { d => d.AdaptiveFloor, 8 },
            { d => d.AdaptiveCeiling, 512 },
            { d => d.User, Operator },
        });

    private static IElement Radio(IRenderedComponent<MudDialogProvider> dialog, string id) =>
        dialog.Find($"input[data-testid={id}], [data-testid={id}] input");

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
        Assert.Equal(["fixed", "256", "none"], dialog.FindAll("[data-cell=after]").Select(c => c.TextContent.Trim()));
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

    [Fact]
    public async Task Dialog_ReleasingAFixedLimit_SendsAdaptiveFromTheLimitInForce()
    {
        var dialog = await OpenAsync(AdmissionMode.Fixed, 64);

        await dialog.InvokeAsync(() => Radio(dialog, "mode-adaptive").Click());
        Assert.Equal(["adaptive", "follows throughput from 64", "4,096"], dialog.FindAll("[data-cell=after]").Select(c => c.TextContent.Trim()));
        await dialog.InvokeAsync(() => dialog.Find("[data-testid=apply]").Click());

        Assert.Equal(["olga: throttle adaptive from none/4096"], Operations.Calls);
    }

    [Fact]
    public async Task Dialog_ReleasingTheLimit_CautionsThatAdaptiveIsNotProvenYet()
    {
        var dialog = await OpenAsync(AdmissionMode.Fixed, 64);
        Assert.Empty(dialog.FindAll("[data-testid=adaptive-caution]"));

        await dialog.InvokeAsync(() => Radio(dialog, "mode-adaptive").Click());
        Assert.Contains("Not proven yet", dialog.Find("[data-testid=adaptive-caution]").TextContent);

        await dialog.InvokeAsync(() => Radio(dialog, "mode-fixed").Click());
        Assert.Empty(dialog.FindAll("[data-testid=adaptive-caution]"));
    }

    [Fact]
    public async Task Dialog_AdaptiveStartOutsideFloorAndCeiling_IsRefused()
    {
        var dialog = await OpenAsync(AdmissionMode.Fixed, 64);

        await dialog.InvokeAsync(() => Radio(dialog, "mode-adaptive").Click());
        await dialog.InvokeAsync(() => Input(dialog, "max-concurrent").Change("1000"));

        Assert.Contains("between the floor 8 and the ceiling 512", dialog.Find("[data-testid=error-maxConcurrent]").TextContent);
        Assert.True(dialog.Find("[data-testid=apply]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task Dialog_InAdaptiveMode_PinsAFixedLimit()
    {
        var dialog = await OpenAsync(AdmissionMode.Adaptive, 71);
        Assert.True(dialog.Find("[data-testid=apply]").HasAttribute("disabled"));

        await dialog.InvokeAsync(() => Radio(dialog, "mode-fixed").Click());
        await dialog.InvokeAsync(() => Input(dialog, "max-concurrent").Change("64"));
        await dialog.InvokeAsync(() => dialog.Find("[data-testid=apply]").Click());

        Assert.Equal(["olga: throttle 64/4096"], Operations.Calls);
    }
}
