using ExamConsole.Console.Model;
using ExamConsole.Data.Admin;
using Microsoft.AspNetCore.Components;

namespace ExamConsole.Console.Components.Pages;

public partial class Audit
{
    public const int Limit = 200;

    /// <summary>
    /// The log is in PostgreSQL: the page reads it on a timer of its own (from the injected
    /// <see cref="TimeProvider"/>), not at every sample it renders.
    /// </summary>
    public static readonly TimeSpan RefreshPeriod = TimeSpan.FromSeconds(3);

    private IReadOnlyList<AuditRecord> _records = [];
    private string? _error;
    private ITimer? _timer;
    private int _refreshing;
    private volatile bool _closed;

    [Inject]
    private IAuditTrail Trail { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        await base.OnInitializedAsync();
        await LoadAsync();
        _timer = Time.CreateTimer(_ => _ = RefreshAsync(), null, RefreshPeriod, RefreshPeriod);
    }

    private async Task RefreshAsync()
    {
        // A read slower than the period is not stacked up behind by the next tick.
        if (_closed || Interlocked.Exchange(ref _refreshing, 1) == 1)
        {
            return;
        }
        try
        {
            await InvokeAsync(async () =>
            {
                if (_closed || Paused)
                {
                    return;
                }
                await LoadAsync();
                StateHasChanged();
            });
        }
        catch (Exception) when (_closed)
        {
            // The page (or its circuit) went away during the read.
        }
        finally
        {
            Volatile.Write(ref _refreshing, 0);
        }
    }

    private async Task LoadAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5), Time);
            _records = (await Trail.ListAsync(Limit, timeout.Token)).OrderByDescending(r => r.At).ThenByDescending(r => r.Id).ToList();
            _error = null;
        }
        catch (Exception e)
        {
            _error = $"The audit log could not be read: {e.Message}";
        }
    }

    protected override void Dispose(bool disposing)
    {
        _closed = true;
        _timer?.Dispose();
        base.Dispose(disposing);
    }
}
