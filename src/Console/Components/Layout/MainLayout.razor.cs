using ExamConsole.Console.Model;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.JSInterop;
using MudBlazor;

namespace ExamConsole.Console.Components.Layout;

public partial class MainLayout : IDisposable
{
    private bool _drawerOpen = true;
    private ConsoleUser? _user;
    private MudThemeProvider? _themeProvider;

    [CascadingParameter]
    private Task<AuthenticationState>? AuthenticationState { get; set; }

    [Inject]
    private DisplayPreferences Preferences { get; set; } = default!;

    [Inject]
    private IJSRuntime JS { get; set; } = default!;

    private string ZoneTitle => Preferences.UseUtc
        ? "Times in UTC (switch to this browser's local time)"
        : $"Times in local time, {Preferences.ZoneName} (switch to UTC)";

    private string ThemeTitle => Preferences.Theme switch
    {
        ThemeChoice.System => "Theme follows the system (switch to light)",
        ThemeChoice.Light => "Light theme (switch to dark)",
        _ => "Dark theme (switch to follow the system)",
    };

    private string ThemeIcon => Preferences.Theme switch
    {
        ThemeChoice.System => Icons.Material.Filled.BrightnessAuto,
        ThemeChoice.Light => Icons.Material.Filled.LightMode,
        _ => Icons.Material.Filled.DarkMode,
    };

    protected override async Task OnInitializedAsync()
    {
        Preferences.Changed += OnPreferencesChanged;
        if (AuthenticationState is not null)
        {
            _user = ConsoleUser.From((await AuthenticationState).User);
        }
    }

    /// <summary>The browser's stored choices and its zone and colour scheme are known only once the circuit can call it.</summary>
    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender)
        {
            return;
        }
        try
        {
            var browserZone = await JS.InvokeAsync<string?>("examConsole.timeZone");
            var zone = await JS.InvokeAsync<string?>("localStorage.getItem", DisplayPreferences.ZoneKey);
            var theme = await JS.InvokeAsync<string?>("localStorage.getItem", DisplayPreferences.ThemeKey);
            var systemDark = _themeProvider is not null && await _themeProvider.GetSystemDarkModeAsync();
            Preferences.Load(browserZone, zone, theme, systemDark);
            if (_themeProvider is not null)
            {
                await _themeProvider.WatchSystemDarkModeAsync(dark => InvokeAsync(() => Preferences.SetSystemDark(dark)));
            }
        }
        catch (JSDisconnectedException)
        {
            // The browser went away while the page opened: nothing to show it in.
        }
    }

    private void ToggleDrawer() => _drawerOpen = !_drawerOpen;

    private async Task ToggleZoneAsync()
    {
        Preferences.SetUtc(!Preferences.UseUtc);
        await SaveAsync(DisplayPreferences.ZoneKey, Preferences.UseUtc ? DisplayPreferences.UtcValue : DisplayPreferences.LocalValue);
    }

    private async Task CycleThemeAsync()
    {
        Preferences.SetTheme(Preferences.Theme switch
        {
            ThemeChoice.System => ThemeChoice.Light,
            ThemeChoice.Light => ThemeChoice.Dark,
            _ => ThemeChoice.System,
        });
        await SaveAsync(DisplayPreferences.ThemeKey, Preferences.Theme.ToString().ToLowerInvariant());
    }

    private async Task SaveAsync(string key, string value)
    {
        try
        {
            await JS.InvokeVoidAsync("localStorage.setItem", key, value);
        }
        catch (JSDisconnectedException)
        {
        }
    }

    private void OnPreferencesChanged() => _ = InvokeAsync(StateHasChanged);

    public void Dispose() => Preferences.Changed -= OnPreferencesChanged;
}
