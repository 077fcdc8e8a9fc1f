using ExamConsole.Console.Model;
using Microsoft.AspNetCore.Components;

namespace ExamConsole.Console.Components.Controls;

public partial class TimeRangePicker
{
    private RangeKind _kind;
    private string? _from;
    private string? _to;
    private string? _error;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    [Inject]
    private DisplayPreferences Preferences { get; set; } = default!;

    /// <summary>The presets offered, in order (the overview offers Live, the report does not).</summary>
    [Parameter, EditorRequired]
    public IReadOnlyList<RangeKind> Kinds { get; set; } = [];

    /// <summary>The kind shown as chosen when the picker opens.</summary>
    [Parameter]
    public RangeKind Initial { get; set; }

    /// <summary>The range shown when the picker opens on <see cref="RangeKind.Custom"/> (from a shared link): its inputs start there.</summary>
    [Parameter]
    public TimeRange? InitialRange { get; set; }

    /// <summary>A chosen preset as it stands now, or a valid custom range.</summary>
    [Parameter]
    public EventCallback<TimeRange> RangeChanged { get; set; }

    public static string Slug(RangeKind kind) => kind.ToString().ToLowerInvariant();

    protected override void OnInitialized()
    {
        _kind = Initial;
        if (InitialRange is { } range)
        {
            _from = TimeRange.Input(range.From, Preferences.Zone);
            _to = TimeRange.Input(range.To, Preferences.Zone);
        }
    }

    private async Task ChooseAsync(RangeKind kind)
    {
        _kind = kind;
        _error = null;
        if (kind == RangeKind.Custom)
        {
            // Start from the last hour, in the zone shown, for the operator to adjust.
            var now = Time.GetUtcNow();
            _from ??= TimeRange.Input(now.AddHours(-1), Preferences.Zone);
            _to ??= TimeRange.Input(now, Preferences.Zone);
            return;
        }
        await RangeChanged.InvokeAsync(TimeRange.Of(kind, Time.GetUtcNow(), Preferences.Zone));
    }

    private async Task ApplyCustomAsync()
    {
        _error = TimeRange.Custom(_from, _to, Preferences.Zone, Time.GetUtcNow(), out var range);
        if (range is not null)
        {
            await RangeChanged.InvokeAsync(range);
        }
    }
}
