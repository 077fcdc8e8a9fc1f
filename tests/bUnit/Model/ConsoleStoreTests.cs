using ExamConsole.Console.Model;
using ExamConsole.Console.Tests.Fakes;
using ExamConsole.Data.Pool;
using Microsoft.Extensions.Logging.Abstractions;

namespace ExamConsole.Console.Tests.Model;

public sealed class ConsoleStoreTests
{
    private static ConsoleStore Store(int capacity) => new(capacity, new UtilizationBands(), NullLogger<ConsoleStore>.Instance);

    [Fact]
    public void Store_KeepsTheNewestSamples_OldestFirst()
    {
        var store = Store(capacity: 5);

        for (var i = 1; i <= 12; i++)
        {
            store.Add(Samples.Sample(busy: i, at: Samples.Start.AddSeconds(i)));
        }

        Assert.Equal([8, 9, 10, 11, 12], store.History().Select(p => p.Busy));
        Assert.Equal(12, store.Latest!.Pool.Busy);
    }

    [Fact]
    public void Store_TenMinutesOfSeconds_Is600Samples()
    {
        Assert.Equal(600, new ConsoleOptions().HistoryCapacity);
    }

    [Fact]
    public void Store_StopsCalling_ADisposedSubscription()
    {
        var store = Store(capacity: 5);
        var calls = 0;
        var subscription = store.Subscribe(() => calls++);

        store.Add(Samples.Sample());
        subscription.Dispose();
        store.Add(Samples.Sample());

        Assert.Equal(1, calls);
        Assert.Equal(0, store.SubscriberCount);
    }

    [Fact]
    public void Store_KeepsCallingOthers_WhenOneSubscriberThrows()
    {
        var store = Store(capacity: 5);
        var calls = 0;
        using var broken = store.Subscribe(() => throw new InvalidOperationException("broken page"));
        using var healthy = store.Subscribe(() => calls++);

        store.Add(Samples.Sample());

        Assert.Equal(1, calls);
    }
}
