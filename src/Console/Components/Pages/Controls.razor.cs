using ExamConsole.Console.Components.Controls;
using ExamConsole.Console.Components.Dialogs;
using ExamConsole.Console.Model;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace ExamConsole.Console.Components.Pages;

public partial class Controls
{
    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private IOperatorControls Operator { get; set; } = default!;

    [Inject]
    private IFleetView FleetView { get; set; } = default!;

    /// <summary>The last change made on this page, whose acknowledgements the page shows.</summary>
    private AppliedChange? _change;

    private int LiveNodes => Math.Max(1, FleetView.LiveNodes);

    private async Task TrackAsync(string what, Func<Task<bool>> change)
    {
        if (await AppliedChange.TrackAsync(FleetView, what, change) is { } applied)
        {
            _change = applied;
            StateHasChanged();
        }
    }

    private Task ResizeAsync()
    {
        var pool = Operator.Pool();
        var parameters = new DialogParameters<PoolSizeDialog>
        {
            { d => d.CurrentMax, pool.FleetMaxSize ?? pool.MaxSize },
            { d => d.CurrentMin, pool.MinSize },
            { d => d.LiveNodes, LiveNodes },
            { d => d.User, User },
        };
        return TrackAsync("Pool budget", () => Dialogs.ShowAsync<PoolSizeDialog>(Snackbar, "Resize the fleet's pool budget", parameters));
    }

    private Task ThrottleAsync()
    {
        var throttle = Operator.Throttle();
        var parameters = new DialogParameters<ThrottleDialog>
        {
            { d => d.CurrentMode, throttle.Mode },
            { d => d.AdaptiveFloor, throttle.AdaptiveFloor },
            { d => d.AdaptiveCeiling, throttle.AdaptiveCeiling },
            { d => d.CurrentMaxConcurrent, throttle.MaxConcurrent },
            { d => d.CurrentQueueLimit, throttle.QueueLimit },
            { d => d.InFlight, throttle.InFlight },
            { d => d.Queued, throttle.Queued },
            { d => d.LiveNodes, LiveNodes },
            { d => d.User, User },
        };
        return TrackAsync("Admission limits", () => Dialogs.ShowAsync<ThrottleDialog>(Snackbar, "Admission limits", parameters));
    }

    private Task CircuitAsync(bool open)
    {
        var now = Operator.Circuit().State;
        return TrackAsync(open ? "Circuit opened" : "Circuit closed", () => Dialogs.ConfirmAsync(
            Snackbar,
            open ? "Open the circuit" : "Close the circuit",
            [new ChangeRow("circuit", now, open ? "isolated (open until closed)" : "closed")],
            open ? "Database work fails fast; submissions are spooled and answered 202 until an operator closes the circuit."
                 : "Database work resumes; the spool is replayed into PostgreSQL.",
            open ? "Open circuit" : "Close circuit",
            open ? Color.Error : Color.Success,
            async () =>
            {
                var after = open ? await Operator.OpenCircuitAsync(Actor) : await Operator.CloseCircuitAsync(Actor);
                return $"Circuit {after.State}.";
            },
            User,
            ChangeReach.Fleet(LiveNodes)));
    }

    private Task FallbackAsync(bool on) =>
        TrackAsync(on ? "Forced fallback on" : "Forced fallback off", () => Dialogs.ConfirmAsync(
            Snackbar,
            on ? "Force the fallback" : "End the forced fallback",
            [new ChangeRow("forced fallback", on ? "off" : "on", on ? "on" : "off")],
            on ? "Every new submission is written to the durable spool first and answered 202 queued." : "Submissions go to PostgreSQL again; the spool is replayed.",
            on ? "Turn on" : "Turn off",
            Color.Warning,
            async () =>
            {
                var after = await Operator.SetForceFallbackAsync(Actor, on);
                return $"Forced fallback {(after.ForceFallback ? "on" : "off")}.";
            },
            User,
            ChangeReach.Fleet(LiveNodes)));

    private Task DrainAsync()
    {
        var depth = Operator.Circuit().SpoolDepth;
        return Dialogs.ConfirmAsync(
            Snackbar,
            "Drain the spool",
            [new ChangeRow("spool depth", Format.Number(depth), "0 (once replayed)")],
            "Replays the queued submissions into PostgreSQL now, idempotently.",
            "Drain",
            Color.Primary,
            async () => $"{await Operator.DrainSpoolAsync(Actor, CancellationToken.None)} submission(s) replayed.",
            User,
            ChangeReach.ThisNodeOnly);
    }
}
