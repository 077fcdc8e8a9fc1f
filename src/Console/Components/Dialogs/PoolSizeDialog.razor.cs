using System.Globalization;
using ExamConsole.Console.Components.Layout;
using ExamConsole.Console.Model;
using ExamConsole.Data.Pool;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace ExamConsole.Console.Components.Dialogs;

public partial class PoolSizeDialog
{
    private int _max;
    private int _min;
    private ServerLimit? _serverLimit;
    private string? _error;
    private bool _busy;

    [CascadingParameter]
    private IMudDialogInstance Dialog { get; set; } = default!;

    [Inject]
    private IOperatorControls Controls { get; set; } = default!;

    [Parameter]
    public int CurrentMax { get; set; }

    [Parameter]
    public int CurrentMin { get; set; }

    /// <summary>The live nodes the budget is split over (this one included).</summary>
    [Parameter]
    public int LiveNodes { get; set; } = 1;

    [Parameter, EditorRequired]
    public ConsoleUser? User { get; set; }

    private IReadOnlyList<ChangeRow> Rows =>
    [
        new("max connections, fleet total", N(CurrentMax), N(_max)),
        new("min connections per node", N(CurrentMin), N(_min)),
        new("each node's share", N(Share(CurrentMax)), N(Share(_max))),
    ];

    private int Nodes => Math.Max(1, LiveNodes);

    private int Share(int total) => total / Nodes;

    /// <summary>The one pool-size rule: its bounds, the server's limit, then the live nodes' shares, worded as the API and the engine word them.</summary>
    private Dictionary<string, string[]> Errors
    {
        get
        {
            var errors = PoolSizeRule.CheckBounds(_max, _min);
            if (!errors.ContainsKey(PoolSizeRule.MaxSizeField) && _serverLimit is { } limit && PoolSizeRule.CheckServer(_max, limit) is { } refusal)
            {
                errors[PoolSizeRule.MaxSizeField] = [refusal.Message];
            }
            if (errors.Count == 0 && PoolSizeRule.CheckShare(_max, _min, Nodes) is { } tooSmall)
            {
                errors[PoolSizeRule.MaxSizeField] = [tooSmall.Message];
            }
            return errors;
        }
    }

    private bool CanApply => User?.CanAct == true && !_busy && _serverLimit is not null && Errors.Count == 0
        && (_max != CurrentMax || _min != CurrentMin);

    protected override async Task OnInitializedAsync()
    {
        _max = CurrentMax;
        _min = CurrentMin;
        try
        {
            _serverLimit = await Controls.ServerLimitAsync(CancellationToken.None);
        }
        catch (Exception e)
        {
            _error = $"The server's limit could not be read: {e.Message}";
        }
    }


    private async Task ApplyAsync()
    {
        if (!CanApply)
        {
            return;
        }
        _busy = true;
        _error = null;
        try
        {
            var after = await Controls.ResizePoolAsync(User!.Name, _max, _min, CancellationToken.None);
            Dialog.Close(DialogResult.Ok($"Fleet budget set to {N(_max)} over {N(after.FleetNodes ?? Nodes)} live node(s): this node's share is max {N(after.MaxSize)}, min {N(after.MinSize)} (generation {after.Generation})."));
        }
        catch (PoolSizeRejectedException rejected)
        {
            // The server's limit changed since the dialog opened: the engine's refusal has the numbers.
            _serverLimit = new ServerLimit(rejected.ServerMaxConnections, rejected.Reserve);
            _error = rejected.Message;
        }
        catch (Exception e) when (e is ArgumentException or PoolShareRejectedException)
        {
            _error = e.Message;
        }
        finally
        {
            _busy = false;
        }
    }

    private void Cancel() => Dialog.Cancel();

    private static string N(int value) => value.ToString("#,0", CultureInfo.InvariantCulture);
}
