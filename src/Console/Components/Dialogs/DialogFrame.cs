namespace ExamConsole.Console.Components.Dialogs;

/// <summary>The options every console dialog opens with.</summary>
public static class DialogFrame
{
    public static MudBlazor.DialogOptions Options => new() { MaxWidth = MudBlazor.MaxWidth.Small, FullWidth = true, CloseOnEscapeKey = true };
}
