using ExamConsole.Api.History;
using ExamConsole.Console.Model;
using Microsoft.AspNetCore.Components;

namespace ExamConsole.Console.Components.Pages;

public partial class Report : IDisposable
{
    public static readonly IReadOnlyList<RangeKind> RangeKinds = [RangeKind.Last10Minutes, RangeKind.LastHour, RangeKind.ExamDay, RangeKind.Custom];

    private RangeKind _initial = RangeKind.Last10Minutes;
    private TimeRange? _initialRange;
    private TimeRange? _range;
    private ReportResponse? _report;
    private string? _error;
    private CancellationTokenSource? _read;

    [Inject]
    private IHistoryView History { get; set; } = default!;

    [Inject]
    private DisplayPreferences Preferences { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    /// <summary><c>?from=...&amp;to=...</c> (ISO-8601) opens a range, so a report can be shared by its URL.</summary>
    [SupplyParameterFromQuery(Name = "from")]
    public string? From { get; set; }

    [SupplyParameterFromQuery(Name = "to")]
    public string? To { get; set; }

    protected override async Task OnInitializedAsync()
    {
        Preferences.Changed += OnPreferencesChanged;
        var now = Time.GetUtcNow();
        if (Parse(From) is { } from && Parse(To) is { } to)
        {
            _initial = RangeKind.Custom;
            _initialRange = new TimeRange(RangeKind.Custom, from, to);
            await ShowAsync(_initialRange);
            return;
        }
        await ShowAsync(TimeRange.Of(RangeKind.Last10Minutes, now, Preferences.Zone));
    }

    private async Task ShowAsync(TimeRange range)
    {
        _range = range;
        _report = null;
        _error = null;
        _read?.Cancel();
        _read?.Dispose();
        var read = _read = new CancellationTokenSource(TimeSpan.FromSeconds(30), Time);
        try
        {
            var report = await History.ReportAsync(range.From, range.To, read.Token);
            if (ReferenceEquals(read, _read))
            {
                _report = report;
            }
        }
        catch (HistoryRangeException e)
        {
            _error = e.Message;
        }
        catch (OperationCanceledException) when (!ReferenceEquals(read, _read))
        {
            // A later choice replaced this read.
        }
        catch (Exception e)
        {
            _error = $"The report could not be read: {e.Message}";
        }
    }

    private static DateTimeOffset? Parse(string? value) =>
        DateTimeOffset.TryParse(value, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal, out var at) ? at : null;

    private void OnPreferencesChanged() => _ = InvokeAsync(StateHasChanged);

    public void Dispose()
    {
        Preferences.Changed -= OnPreferencesChanged;
        _read?.Cancel();
        _read?.Dispose();
    }
}
