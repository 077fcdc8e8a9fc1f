using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace ExamConsole.Console.Components.Layout;

public partial class MainLayout
{
    private bool _drawerOpen = true;
    private ConsoleUser? _user;

    [CascadingParameter]
    private Task<AuthenticationState>? AuthenticationState { get; set; }

    protected override async Task OnInitializedAsync()
    {
        if (AuthenticationState is not null)
        {
            _user = ConsoleUser.From((await AuthenticationState).User);
        }
    }

    private void ToggleDrawer() => _drawerOpen = !_drawerOpen;
}
