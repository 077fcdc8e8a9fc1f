using ExamConsole.Console.Model;
using Microsoft.AspNetCore.Components;

namespace ExamConsole.Console.Components.Pages;

public partial class Fleet
{
    /// <summary>The registry is in PostgreSQL and the nodes heartbeat every 2 s: read it as often, not at every sample.</summary>
    public static readonly TimeSpan RefreshPeriod = FleetReader.RefreshPeriod;

    private FleetReader? _reader;

    [Inject]
    private IFleetView FleetView { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        await base.OnInitializedAsync();
        _reader = await FleetReader.StartAsync(FleetView, Time, InvokeAsync, () => Paused, StateHasChanged);
    }

    protected override void Dispose(bool disposing)
    {
        _reader?.Dispose();
        base.Dispose(disposing);
    }
}
