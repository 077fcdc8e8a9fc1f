namespace ExamConsole.Testing;

/// <summary>Waits for a condition with a deadline, instead of sleeping for a guessed time.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Reads <paramref name="probe"/> until <paramref name="done"/> holds and returns that value; fails naming <paramref name="what"/> at the deadline.</summary>
    /// <param name="describe">How the failure shows the last value, when its ToString says little (a list, say).</param>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? timeout = null, Func<T, object?>? describe = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not within {timeout ?? DefaultTimeout}: {what}. Last value: {(describe is null ? value : describe(value))}");
            }
            // A short pause between polls keeps the probe from hammering the server; the deadline bounds the wait.
            await Task.Delay(25);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds; fails naming <paramref name="what"/> at the deadline.</summary>
    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        UntilAsync(() => Task.FromResult(condition()), done => done, what, timeout);

    /// <summary>Waits until <paramref name="condition"/> holds; fails naming <paramref name="what"/> at the deadline.</summary>
    public static Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null) =>
        UntilAsync(condition, done => done, what, timeout);

    /// <summary>Awaits <paramref name="task"/> but no longer than the deadline.</summary>
    public static async Task<T> WithinAsync<T>(Task<T> task, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        if (await Task.WhenAny(task, Task.Delay(limit)) != task)
        {
            throw new TimeoutException($"Not within {limit}: {what}.");
        }
        return await task;
    }
}
