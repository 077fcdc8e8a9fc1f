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
    private PageTimer? _timer;

    [Inject]
    private IAuditTrail Trail { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        await base.OnInitializedAsync();
        await LoadAsync();
        _timer = new PageTimer(Time, RefreshPeriod, InvokeAsync, async () =>
        {
            if (!Paused)
            {
                await LoadAsync();
                StateHasChanged();
            }
        });
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
        _timer?.Dispose();
        base.Dispose(disposing);
    }
}
