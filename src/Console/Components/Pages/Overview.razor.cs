using ExamConsole.Console.Components.Controls;
using ExamConsole.Console.Model;
using ExamConsole.Data.Pool;
using Microsoft.AspNetCore.Components;

namespace ExamConsole.Console.Components.Pages;

public partial class Overview
{
    public const string FleetViewName = "fleet";

    private IReadOnlyList<HistoryPoint> _history = [];
    private bool _fleetView;
    private FleetReader? _fleet;

    [Inject]
    private IFleetView FleetView { get; set; } = default!;

    /// <summary><c>?view=fleet</c> opens the fleet's figures, so the view can be shared by its URL.</summary>
    [SupplyParameterFromQuery(Name = "view")]
    public string? View { get; set; }

    private double AcquireTargetMs => ConsoleOptions.Value.AcquireTargetMs;

    protected override async Task OnInitializedAsync()
    {
        await base.OnInitializedAsync();
        if (string.Equals(View, FleetViewName, StringComparison.OrdinalIgnoreCase))
        {
            await ShowFleetAsync(true);
        }
    }

    protected override Task OnLiveUpdateAsync()
    {
        _history = Feed.History();
        return Task.CompletedTask;
    }

    /// <summary>The fleet's figures come from the heartbeats in PostgreSQL: read every 2 s while shown, not at every sample.</summary>
    private async Task ShowFleetAsync(bool fleet)
    {
        _fleetView = fleet;
        _fleet?.Dispose();
        _fleet = fleet ? await FleetReader.StartAsync(FleetView, Time, InvokeAsync, () => Paused, StateHasChanged) : null;
    }

    private string AcquireClass(double milliseconds) =>
        BandStyle.ClassOf(milliseconds <= AcquireTargetMs ? UtilizationBands.Green : UtilizationBands.Red);

    protected override void Dispose(bool disposing)
    {
        _fleet?.Dispose();
        base.Dispose(disposing);
    }
}
