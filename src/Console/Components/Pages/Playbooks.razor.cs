using ExamConsole.Api.Admin;
using ExamConsole.Console.Components.Controls;
using ExamConsole.Console.Components.Dialogs;
using ExamConsole.Console.Model;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace ExamConsole.Console.Components.Pages;

public partial class Playbooks
{
    /// <summary>The steps read the server's limit: once every few samples is enough.</summary>
    private const int RefreshEveryTicks = 3;

    private IReadOnlyList<PlaybookStep>? _steps;
    private string? _error;
    private bool _loading;

    [Inject]
    private IPlaybookSteps Playbook { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private IFleetView FleetView { get; set; } = default!;

    /// <summary>The last step applied or reverted here, whose acknowledgements the page shows.</summary>
    private AppliedChange? _change;

    private (string Id, string Title)[] Procedures =>
    [
        (EmergencyPlaybook.HighUsage, $"High connection usage (> {Feed.Bands.RedAbovePercent:0.#} %)"),
        (EmergencyPlaybook.Exhaustion, "Pool exhaustion"),
    ];

    protected override async Task OnLiveUpdateAsync()
    {
        if (_steps is null || Ticks % RefreshEveryTicks == 0)
        {
            await LoadAsync();
        }
    }

    private async Task LoadAsync()
    {
        if (_loading)
        {
            return;
        }
        _loading = true;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            _steps = await Playbook.StepsAsync(timeout.Token);
            _error = null;
        }
        catch (Exception e)
        {
            _error = $"The steps could not be read: {e.Message}";
        }
        finally
        {
            _loading = false;
        }
    }

    private static (string Href, string Text)? LinkOf(string stepId) => stepId switch
    {
        "query-performance" => ("", "Overview"),
        "leaks" => ("leaks", "Leaks page"),
        "slow-queries" => ("slow-queries", "Slow queries page"),
        _ => null,
    };

    private async Task ApplyAsync(PlaybookStep step)
    {
        var done = await AppliedChange.TrackAsync(FleetView, $"Applied: {step.Title}", () => Dialogs.ConfirmAsync(
            Snackbar,
            $"Apply: {step.Title}",
            [new ChangeRow(step.Title, step.Now, step.After ?? "")],
            step.Why,
            "Apply",
            Color.Warning,
            async () =>
            {
                _steps = await Playbook.ApplyAsync(step.Id, Actor, CancellationToken.None);
                return $"Applied: {step.Title}.";
            },
            User,
            ChangeReach.Fleet(Math.Max(1, FleetView.LiveNodes))));
        if (done is not null)
        {
            _change = done;
            StateHasChanged();
        }
    }

    private async Task RevertAsync(PlaybookStep step)
    {
        var done = await AppliedChange.TrackAsync(FleetView, $"Reverted: {step.Title}", () => Dialogs.ConfirmAsync(
            Snackbar,
            $"Revert: {step.Title}",
            [new ChangeRow(step.Title, step.After ?? step.Now, "what it replaced")],
            "Puts back the value this step replaced when it was applied.",
            "Revert",
            Color.Primary,
            async () =>
            {
                _steps = await Playbook.RevertAsync(step.Id, Actor, CancellationToken.None);
                return $"Reverted: {step.Title}.";
            },
            User,
            ChangeReach.Fleet(Math.Max(1, FleetView.LiveNodes))));
        if (done is not null)
        {
            _change = done;
            StateHasChanged();
        }
    }
}
