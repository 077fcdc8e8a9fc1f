using System.Globalization;
using ExamConsole.Api.Admin;
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
    private int? _serverLimit;
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

    /// <summary>The server's max_connections, to say how the limit is made up.</summary>
    [Parameter]
    public int ServerMaxConnections { get; set; }

    [Parameter, EditorRequired]
    public ConsoleUser? User { get; set; }

    private IReadOnlyList<ChangeRow> Rows =>
    [
        new("max connections", N(CurrentMax), N(_max)),
        new("min connections", N(CurrentMin), N(_min)),
    ];

    /// <summary>The API's own checks (PoolApi.Validate), then the server's limit.</summary>
    private Dictionary<string, string[]> Errors
    {
        get
        {
            var errors = PoolApi.Validate(new PoolSizeRequest(_max, _min));
            if (!errors.ContainsKey("maxSize") && _serverLimit is { } limit && _max > limit)
            {
                errors["maxSize"] =
                [
                    $"A pool of {N(_max)} connections does not fit: the server takes at most {N(limit)} " +
                    $"(max_connections {N(ServerMaxConnections)} less the reserve {N(ServerMaxConnections - limit)}).",
                ];
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
            Dialog.Close(DialogResult.Ok($"Pool resized to max {N(after.MaxSize)}, min {N(after.MinSize)} (generation {after.Generation})."));
        }
        catch (PoolSizeRejectedException rejected)
        {
            // The server's limit changed since the dialog opened: the engine's refusal has the numbers.
            _serverLimit = rejected.Allowed;
            _error = rejected.Message;
        }
        catch (ArgumentException e)
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
