using ExamConsole.Api.Fleet;
using ExamConsole.Console.Model;

namespace ExamConsole.Console.Components;

/// <summary>
/// The fleet as a page shows it: read when the page opens it, then every <see cref="RefreshPeriod"/>
/// (the nodes heartbeat as often) unless the page is paused, until the page closes it. A failed read
/// keeps the last figures and says why.
/// </summary>
public sealed class FleetReader : IDisposable
{
    public static readonly TimeSpan RefreshPeriod = TimeSpan.FromSeconds(2);

    private readonly IFleetView _view;
    private readonly TimeProvider _time;
    private PageTimer? _timer;

    private FleetReader(IFleetView view, TimeProvider time)
    {
        _view = view;
        _time = time;
    }

    public FleetResponse? Fleet { get; private set; }

    public DateTimeOffset? ReadAt { get; private set; }

    public string? Error { get; private set; }

    /// <param name="invoke">The page's InvokeAsync: reads run on its renderer's thread.</param>
    /// <param name="paused">Whether the page is paused: a paused page keeps what it shows.</param>
    /// <param name="changed">The page's StateHasChanged, after each timed read.</param>
    public static async Task<FleetReader> StartAsync(IFleetView view, TimeProvider time, Func<Func<Task>, Task> invoke, Func<bool> paused, Action changed)
    {
        var reader = new FleetReader(view, time);
        await reader.ReadAsync();
        reader._timer = new PageTimer(time, RefreshPeriod, invoke, async () =>
        {
            if (!paused())
            {
                await reader.ReadAsync();
                changed();
            }
        });
        return reader;
    }

    private async Task ReadAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5), _time);
            Fleet = await _view.ReadAsync(timeout.Token);
            ReadAt = _time.GetUtcNow();
            Error = null;
        }
        catch (Exception e)
        {
            Error = $"The fleet could not be read: {e.Message}";
        }
    }

    public void Dispose() => _timer?.Dispose();
}
