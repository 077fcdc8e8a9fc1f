using ExamConsole.Data.Pool;

namespace ExamConsole.Console.Model;

/// <summary>The live figures pages show: the latest sample, the history, and a subscription to new samples.</summary>
public interface IConsoleFeed
{
    /// <summary>The newest sample, or null before the first one.</summary>
    ConsoleSample? Latest { get; }

    /// <summary>Where the utilization bands start (the pool's settings).</summary>
    UtilizationBands Bands { get; }

    /// <summary>The kept history, oldest first.</summary>
    IReadOnlyList<HistoryPoint> History();

    /// <summary>Calls <paramref name="onSample"/> after each new sample, on the sampler's thread, until disposed.</summary>
    IDisposable Subscribe(Action onSample);
}

/// <summary>Reads one sample of the live figures (the real services, or a fake in tests).</summary>
public interface ISampleSource
{
    ConsoleSample Read();
}
