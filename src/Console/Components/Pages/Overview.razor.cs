using ExamConsole.Api.History;
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
    private TimeRange? _range;
    private HistoryResponse? _rangeHistory;
    private string? _rangeError;
    private CancellationTokenSource? _rangeRead;

    /// <summary>Live is the store's in-memory minutes of this node; the others read the fleet's history.</summary>
    public static readonly IReadOnlyList<RangeKind> RangeKinds = [RangeKind.Live, RangeKind.LastHour, RangeKind.ExamDay, RangeKind.Custom];

    [Inject]
    private IFleetView FleetView { get; set; } = default!;

    [Inject]
    private IHistoryView HistoryView { get; set; } = default!;

    [Inject]
    private DisplayPreferences Preferences { get; set; } = default!;

    /// <summary><c>?view=fleet</c> opens the fleet's figures, so the view can be shared by its URL.</summary>
    [SupplyParameterFromQuery(Name = "view")]
    public string? View { get; set; }

    private double AcquireTargetMs => ConsoleOptions.Value.AcquireTargetMs;

    protected override async Task OnInitializedAsync()
    {
        Preferences.Changed += OnPreferencesChanged;
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

    /// <summary>Live drops the history; any other range reads it once (Read again re-reads a preset up to now).</summary>
    private async Task ShowRangeAsync(TimeRange range)
    {
        _range = range.Kind == RangeKind.Live ? null : range;
        _rangeHistory = null;
        _rangeError = null;
        if (_range is null)
        {
            return;
        }
        _rangeRead?.Cancel();
        _rangeRead?.Dispose();
        var read = _rangeRead = new CancellationTokenSource(TimeSpan.FromSeconds(15), Time);
        try
        {
            var history = await HistoryView.HistoryAsync(range.From, range.To, read.Token);
            if (ReferenceEquals(read, _rangeRead))
            {
                _rangeHistory = history;
            }
        }
        catch (HistoryRangeException e)
        {
            _rangeError = e.Message;
        }
        catch (OperationCanceledException) when (!ReferenceEquals(read, _rangeRead))
        {
            // A later choice replaced this read.
        }
        catch (Exception e)
        {
            _rangeError = $"The history could not be read: {e.Message}";
        }
    }

    private Task RefreshRangeAsync() => _range is { } range
        ? ShowRangeAsync(range.Kind == RangeKind.Custom ? range : TimeRange.Of(range.Kind, Time.GetUtcNow(), Preferences.Zone))
        : Task.CompletedTask;

    private void OnPreferencesChanged() => _ = InvokeAsync(StateHasChanged);

    private string AcquireClass(double milliseconds) =>
        BandStyle.ClassOf(milliseconds <= AcquireTargetMs ? UtilizationBands.Green : UtilizationBands.Red);

    protected override void Dispose(bool disposing)
    {
        Preferences.Changed -= OnPreferencesChanged;
        _fleet?.Dispose();
        _rangeRead?.Cancel();
        _rangeRead?.Dispose();
        base.Dispose(disposing);
    }
}
