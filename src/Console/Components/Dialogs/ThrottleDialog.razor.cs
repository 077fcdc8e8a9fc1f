using ExamConsole.Api.Admin;
using ExamConsole.Api.Admission;
using ExamConsole.Console.Components.Layout;
using ExamConsole.Console.Model;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace ExamConsole.Console.Components.Dialogs;

public partial class ThrottleDialog
{
    private AdmissionMode _mode;
    private int? _maxConcurrent;
    private int? _queueLimit;
    private string? _error;
    private bool _busy;

    [CascadingParameter]
    private IMudDialogInstance Dialog { get; set; } = default!;

    [Inject]
    private IOperatorControls Controls { get; set; } = default!;

    [Parameter]
    public AdmissionMode CurrentMode { get; set; }

    /// <summary>The limit in force (either mode).</summary>
    [Parameter]
    public int? CurrentMaxConcurrent { get; set; }

    [Parameter]
    public int? CurrentQueueLimit { get; set; }

    [Parameter]
    public int AdaptiveFloor { get; set; } = 1;

    [Parameter]
    public int AdaptiveCeiling { get; set; } = AdmissionOptions.LimitMax;

    [Parameter]
    public int InFlight { get; set; }

    [Parameter]
    public int Queued { get; set; }

    /// <summary>The live nodes the limits reach: every node's gate gets them.</summary>
    [Parameter]
    public int LiveNodes { get; set; } = 1;

    [Parameter, EditorRequired]
    public ConsoleUser? User { get; set; }

    private string LimitLabel => _mode == AdmissionMode.Adaptive
        ? "Start from (empty: the limit in force)"
        : "Max concurrent (empty: no limit)";

    private IReadOnlyList<ChangeRow> Rows =>
    [
        new("mode", OperatorApi.ModeName(CurrentMode), OperatorApi.ModeName(_mode)),
        new("max concurrent", Format.Limit(CurrentMaxConcurrent), AfterLimit),
        new("queue limit", Format.Limit(CurrentQueueLimit), Format.Limit(_queueLimit)),
    ];

    private string AfterLimit => _mode == AdmissionMode.Adaptive
        ? $"follows throughput from {Format.Limit(_maxConcurrent ?? Math.Clamp(CurrentMaxConcurrent ?? AdaptiveCeiling, AdaptiveFloor, AdaptiveCeiling))}"
        : Format.Limit(_maxConcurrent);

    private ThrottleRequest Request => new(_maxConcurrent, _queueLimit, OperatorApi.ModeName(_mode));

    private Dictionary<string, string[]> Errors => OperatorApi.ValidateThrottle(
        Request,
        new AdmissionState(CurrentMaxConcurrent, CurrentQueueLimit, InFlight, Queued, 0, 0, CurrentMode, AdaptiveFloor, AdaptiveCeiling));

    // Releasing to adaptive again with no start is a restart from the limit in force: allowed, it is a change of mind.
    private bool Changed => _mode != CurrentMode || _queueLimit != CurrentQueueLimit
        || (_mode == AdmissionMode.Fixed ? _maxConcurrent != CurrentMaxConcurrent : _maxConcurrent is not null);

    private bool CanApply => User?.CanAct == true && !_busy && Errors.Count == 0 && Changed;

    protected override void OnInitialized()
    {
        _mode = CurrentMode;
        _maxConcurrent = CurrentMode == AdmissionMode.Fixed ? CurrentMaxConcurrent : null;
        _queueLimit = CurrentQueueLimit;
    }

    // The number field means the pinned limit in fixed mode and the starting point in adaptive mode.
    private void SetMode(AdmissionMode mode)
    {
        _mode = mode;
        _maxConcurrent = mode == AdmissionMode.Fixed ? CurrentMaxConcurrent : null;
    }

    private async Task ApplyAsync()
    {
        if (!CanApply)
        {
            return;
        }
        _busy = true;
        try
        {
            var after = await Controls.SetThrottleAsync(User!.Name, _mode, _maxConcurrent, _queueLimit);
            Dialog.Close(DialogResult.Ok(after.Mode == AdmissionMode.Adaptive
                ? $"Admission limit released: adaptive from {Format.Limit(after.MaxConcurrent)} between {after.AdaptiveFloor} and {after.AdaptiveCeiling}, queue {Format.Limit(after.QueueLimit)}."
                : $"Admission limits set: max concurrent {Format.Limit(after.MaxConcurrent)}, queue {Format.Limit(after.QueueLimit)}."));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _error = e.Message;
        }
        finally
        {
            _busy = false;
        }
    }

    private void Cancel() => Dialog.Cancel();
}
