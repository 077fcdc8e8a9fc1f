using ExamConsole.Console.Components.Layout;
using MudBlazor;

namespace ExamConsole.Console.Components.Dialogs;

/// <summary>Opens the console's change dialogs and reports what became of the change in a snackbar.</summary>
public static class ConsoleDialogs
{
    public static async Task<bool> ConfirmAsync(
        this IDialogService dialogs,
        ISnackbar snackbar,
        string title,
        IReadOnlyList<ChangeRow> rows,
        string? explanation,
        string confirmText,
        Color confirmColor,
        Func<Task<string>> apply,
        ConsoleUser? user,
        string? reach = null)
    {
        var parameters = new DialogParameters<ConfirmChangeDialog>
        {
            { d => d.Rows, rows },
            { d => d.Explanation, explanation },
            { d => d.ConfirmText, confirmText },
            { d => d.ConfirmColor, confirmColor },
            { d => d.Apply, apply },
            { d => d.User, user },
            { d => d.Reach, reach },
        };
        return await ShowAsync<ConfirmChangeDialog>(dialogs, snackbar, title, parameters);
    }

    /// <summary>Shows a dialog that closes with a message on success; the message goes to a snackbar.</summary>
    public static async Task<bool> ShowAsync<TDialog>(this IDialogService dialogs, ISnackbar snackbar, string title, DialogParameters parameters)
        where TDialog : Microsoft.AspNetCore.Components.IComponent
    {
        var reference = await dialogs.ShowAsync<TDialog>(title, parameters, DialogFrame.Options);
        var result = await reference.Result;
        if (result is { Canceled: false, Data: string message })
        {
            snackbar.Add(message, Severity.Success);
            return true;
        }
        return false;
    }
}
