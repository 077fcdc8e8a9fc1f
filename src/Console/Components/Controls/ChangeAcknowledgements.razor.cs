using ExamConsole.Api.Fleet;
using ExamConsole.Console.Model;
using Microsoft.AspNetCore.Components;

namespace ExamConsole.Console.Components.Controls;

/// <summary>A change an operator made here: what, and the version of the fleet's settings it became (null: this node only).</summary>
public sealed record AppliedChange(string What, long? Version)
{
    /// <summary>
    /// Runs a change of the fleet's settings and tells the version it became: the version in force
    /// here moved on (a change is applied here before the call returns), or it did not and the change
    /// is in force on this node only. Null when the operator did not go through with it.
    /// </summary>
    public static async Task<AppliedChange?> TrackAsync(IFleetView fleet, string what, Func<Task<bool>> change)
    {
        var before = fleet.AppliedVersion;
        if (!await change())
        {
            return null;
        }
        var after = fleet.AppliedVersion;
        return new AppliedChange(what, after > before ? after : null);
    }
}

/// <summary>One node's acknowledgement of a change: null until it applied it.</summary>
public sealed record AcknowledgementRow(string Node, DateTimeOffset? AppliedAt);

/// <summary>
/// Shows each live node's acknowledgement of a change (from <c>fleet_settings_applied</c>), read
/// every <see cref="PollPeriod"/> until every live node has applied it or <see cref="WaitFor"/> has
/// passed. A node that acknowledged and is not alive any more stays in the list.
/// </summary>
public partial class ChangeAcknowledgements : IDisposable
{
    public static readonly TimeSpan PollPeriod = TimeSpan.FromMilliseconds(500);

    private PageTimer? _timer;
    private AppliedChange? _watching;
    private long _startedAt;
    private string? _error;

    [Inject]
    private IFleetView FleetView { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    [Parameter]
    public AppliedChange? Change { get; set; }

    /// <summary>How long a live node's acknowledgement is waited for.</summary>
    [Parameter]
    public TimeSpan WaitFor { get; set; } = TimeSpan.FromSeconds(10);

    private IReadOnlyList<AcknowledgementRow> Rows { get; set; } = [];

    private bool Gave { get; set; }

    protected override async Task OnParametersSetAsync()
    {
        if (ReferenceEquals(Change, _watching))
        {
            return;
        }
        _timer?.Dispose();
        _timer = null;
        _watching = Change;
        Rows = [];
        Gave = false;
        if (Change?.Version is not { } version)
        {
            return;
        }
        _startedAt = Time.GetTimestamp();
        if (!await ReadAsync(version))
        {
            _timer = new PageTimer(Time, PollPeriod, InvokeAsync, async () =>
            {
                if (await ReadAsync(version))
                {
                    _timer?.Dispose();
                }
                StateHasChanged();
            });
        }
    }

    /// <summary>Reads the live nodes and the acknowledgements; true when there is nothing more to wait for.</summary>
    private async Task<bool> ReadAsync(long version)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5), Time);
            var fleet = await FleetView.ReadAsync(timeout.Token);
            var acks = await FleetView.AcknowledgementsAsync(version, timeout.Token);
            Rows = Merge(fleet, acks);
            _error = null;
        }
        catch (Exception e) when (e is not ObjectDisposedException)
        {
            _error = $"The acknowledgements could not be read: {e.Message}";
        }
        var done = Rows.Count > 0 && Rows.All(r => r.AppliedAt is not null);
        Gave = !done && Time.GetElapsedTime(_startedAt) >= WaitFor;
        return done || Gave;
    }

    /// <summary>Every live node, and any other node that acknowledged; by when it applied, waiting ones last.</summary>
    public static IReadOnlyList<AcknowledgementRow> Merge(FleetResponse fleet, IReadOnlyList<Data.Fleet.SettingsAcknowledgement> acknowledgements)
    {
        var applied = acknowledgements.GroupBy(a => a.NodeName).ToDictionary(g => g.Key, g => g.Min(a => a.AppliedAt));
        return fleet.Nodes.Where(n => n.Alive).Select(n => n.Name)
            .Union(applied.Keys)
            .Select(name => new AcknowledgementRow(name, applied.TryGetValue(name, out var at) ? at : null))
            .OrderBy(r => r.AppliedAt ?? DateTimeOffset.MaxValue).ThenBy(r => r.Node, StringComparer.Ordinal)
            .ToList();
    }

    public void Dispose()
    {
        _timer?.Dispose();
        GC.SuppressFinalize(this);
    }
}
