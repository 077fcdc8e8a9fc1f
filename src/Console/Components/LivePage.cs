using ExamConsole.Console.Components.Layout;
using ExamConsole.Console.Model;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;

namespace ExamConsole.Console.Components;

/// <summary>
/// A page fed by the store: it takes the latest sample when it opens, re-renders at most once per
/// <see cref="ConsoleOptions.RenderThrottle"/> on the renderer's thread, and can be paused (the view
/// freezes; sampling goes on). The subscription ends with the page.
/// </summary>
public abstract class LivePage : ComponentBase, IDisposable
{
    private IDisposable? _subscription;
    private int _renderPending;
    private long _lastRender;
    private bool _disposed;

    [Inject]
    protected IConsoleFeed Feed { get; set; } = default!;

    [Inject]
    protected IOptions<ConsoleOptions> ConsoleOptions { get; set; } = default!;

    [Inject]
    protected TimeProvider Time { get; set; } = default!;

    /// <summary>Who is looking; null is treated as a viewer.</summary>
    [CascadingParameter]
    protected ConsoleUser? User { get; set; }

    protected bool CanAct => User?.CanAct == true;

    protected string Actor => User?.Name ?? "unknown";

    /// <summary>The sample the page shows: the latest, or the one it was paused on.</summary>
    protected ConsoleSample? Sample { get; private set; }

    protected bool Paused { get; private set; }

    /// <summary>Samples taken into the view since the page opened.</summary>
    protected long Ticks { get; private set; }

    protected override async Task OnInitializedAsync()
    {
        Sample = Feed.Latest;
        _lastRender = Time.GetTimestamp();
        _subscription = Feed.Subscribe(OnFeedSample);
        await OnLiveUpdateAsync();
    }

    /// <summary>Called on the renderer's thread with each new sample taken into the view (not while paused).</summary>
    protected virtual Task OnLiveUpdateAsync() => Task.CompletedTask;

    protected async Task TogglePauseAsync()
    {
        Paused = !Paused;
        if (!Paused)
        {
            Sample = Feed.Latest;
            await OnLiveUpdateAsync();
        }
    }

    private void OnFeedSample()
    {
        if (Paused || _disposed || Interlocked.Exchange(ref _renderPending, 1) == 1)
        {
            return;
        }
        _ = RenderSoonAsync();
    }

    private async Task RenderSoonAsync()
    {
        try
        {
            var wait = ConsoleOptions.Value.RenderThrottle - Time.GetElapsedTime(Volatile.Read(ref _lastRender));
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, Time);
            }
            await InvokeAsync(async () =>
            {
                Volatile.Write(ref _renderPending, 0);
                if (Paused || _disposed)
                {
                    return;
                }
                Sample = Feed.Latest;
                Ticks++;
                Volatile.Write(ref _lastRender, Time.GetTimestamp());
                await OnLiveUpdateAsync();
                StateHasChanged();
            });
        }
        catch (Exception) when (_disposed)
        {
            // The page (or its circuit) went away between the sample and the render.
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _subscription?.Dispose();
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}
