using ExamConsole.Console.Components.Dialogs;
using ExamConsole.Console.Model;
using ExamConsole.Data.Telemetry;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace ExamConsole.Console.Components.Pages;

public partial class SlowQueries
{
    public const int StatementLimit = 20;
    public const int SlowCommandLimit = 50;

    /// <summary>The server is asked every few samples; the node's own slow-command log every sample.</summary>
    private const int ServerEveryTicks = 3;

    private IReadOnlyList<LongRunningQuery> _longRunning = [];
    private IReadOnlyList<SlowCommand> _slow = [];
    private StatementsReport? _statements;
    private StatementSort _sort = StatementSort.Total;
    private bool _loading;

    [Inject]
    private IServerInsight Insight { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    protected override async Task OnLiveUpdateAsync()
    {
        _slow = Insight.RecentSlowCommands(SlowCommandLimit);
        if (_statements is null || Ticks % ServerEveryTicks == 0)
        {
            await LoadServerAsync();
        }
    }

    private async Task LoadServerAsync()
    {
        if (_loading)
        {
            return;
        }
        _loading = true;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            _longRunning = await Insight.LongRunningAsync(timeout.Token);
            _statements = await Insight.TopStatementsAsync(_sort, StatementLimit, timeout.Token);
        }
        catch (Exception e) when (e is not ObjectDisposedException)
        {
            _statements = new StatementsReport(false, $"The server could not be read: {e.Message}", []);
        }
        finally
        {
            _loading = false;
        }
    }

    private async Task SortAsync(StatementSort sort)
    {
        _sort = sort;
        await LoadServerAsync();
    }

    private static string SortLabel(StatementSort sort) => sort switch
    {
        StatementSort.Total => "total time",
        StatementSort.Mean => "mean time",
        _ => "calls",
    };

    private async Task SignalAsync(LongRunningQuery query, bool terminate)
    {
        var verb = terminate ? "Terminate" : "Cancel";
        var done = await Dialogs.ConfirmAsync(
            Snackbar,
            $"{verb} backend {query.Pid}",
            [new ChangeRow($"backend {query.Pid}", $"{query.State}, running {Format.Ms(query.DurationMs)}", terminate ? "session ended" : "query cancelled, session kept")],
            terminate
                ? "pg_terminate_backend ends the whole session: its transaction rolls back and its client sees the connection drop."
                : "pg_cancel_backend stops the running statement only; the client gets an error for it.",
            verb,
            terminate ? Color.Error : Color.Warning,
            async () =>
            {
                var result = terminate
                    ? await Insight.TerminateAsync(Actor, query.Pid, CancellationToken.None)
                    : await Insight.CancelAsync(Actor, query.Pid, CancellationToken.None);
                return result switch
                {
                    BackendSignal.Sent => $"{verb} sent to backend {query.Pid}.",
                    BackendSignal.NotPermitted => throw new InvalidOperationException($"The database role may not signal backend {query.Pid}: grant it pg_signal_backend."),
                    _ => throw new InvalidOperationException($"{query.Pid} is no longer a backend of this database."),
                };
            },
            User);
        if (done)
        {
            await LoadServerAsync();
        }
    }
}
