using MudBlazor;

namespace ExamConsole.Console.Components.Layout;

/// <summary>
/// The console's theme: the system font stack (nothing is fetched from outside), dense and legible.
/// Both palettes keep WCAG AA contrast (4.5:1) for what the console draws with them: band colours as
/// text on the surface and as fills under their contrast text (filled chips, alerts, buttons).
/// MudBlazor's defaults do not (white on its success green is 2:1), and axe says so on every page.
/// The light palette darkens the status colours under white text; the dark one lightens them under
/// black text.
/// </summary>
public static class ConsoleTheme
{
    private const string Black = "rgba(0,0,0,0.87)";

    public static MudTheme Theme { get; } = new()
    {
        Typography = new Typography
        {
            Default = new DefaultTypography
            {
                FontFamily = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"],
            },
        },
        PaletteLight = new PaletteLight
        {
            Primary = "#594ae2",
            Secondary = "#ad1457",
            Success = "#2e7d32",
            Warning = "#b45309",
            Error = "#c62828",
            Info = "#0277bd",
            TextSecondary = "rgba(0,0,0,0.6)",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#9e97f0",
            PrimaryContrastText = Black,
            Secondary = "#f48fb1",
            SecondaryContrastText = Black,
            Success = "#81c784",
            SuccessContrastText = Black,
            Warning = "#ffb74d",
            WarningContrastText = Black,
            Error = "#ef9a9a",
            ErrorContrastText = Black,
            Info = "#81d4fa",
            InfoContrastText = Black,
            Background = "#222229",
            Surface = "#2a2a33",
            AppbarBackground = "#1b1b21",
            DrawerBackground = "#1b1b21",
            TextPrimary = "rgba(255,255,255,0.87)",
            TextSecondary = "rgba(255,255,255,0.70)",
            DrawerText = "rgba(255,255,255,0.87)",
            DrawerIcon = "rgba(255,255,255,0.70)",
            AppbarText = "rgba(255,255,255,0.87)",
        },
    };
}
