using MudBlazor;

namespace ExamConsole.Console.Components.Layout;

/// <summary>The console's theme: the system font stack (nothing is fetched from outside), dense and legible.</summary>
public static class ConsoleTheme
{
    public static MudTheme Theme { get; } = new()
    {
        Typography = new Typography
        {
            Default = new DefaultTypography
            {
                FontFamily = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"],
            },
        },
    };
}
