namespace ExamConsole.Console.Components;

/// <summary>
/// Runs a page's read every <c>period</c> on the renderer's thread (through the page's
/// <c>InvokeAsync</c>), one at a time: a read slower than the period is not stacked up behind by the
/// next tick. The clock is the injected <see cref="TimeProvider"/>; disposed with the page.
/// </summary>
public sealed class PageTimer : IDisposable
{
    private readonly Func<Func<Task>, Task> _invoke;
    private readonly Func<Task> _tick;
    private readonly ITimer _timer;
    private int _running;
    private volatile bool _disposed;

    public PageTimer(TimeProvider time, TimeSpan period, Func<Func<Task>, Task> invoke, Func<Task> tick)
    {
        _invoke = invoke;
        _tick = tick;
        _timer = time.CreateTimer(_ => _ = RunAsync(), null, period, period);
    }

    private async Task RunAsync()
    {
        if (_disposed || Interlocked.Exchange(ref _running, 1) == 1)
        {
            return;
        }
        try
        {
            await _invoke(async () =>
            {
                if (!_disposed)
                {
                    await _tick();
                }
            });
        }
        catch (Exception) when (_disposed)
        {
            // The page (or its circuit) went away during the read.
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _timer.Dispose();
    }
}
