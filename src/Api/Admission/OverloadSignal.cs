using ExamConsole.Data.Pool;

namespace ExamConsole.Api.Admission;

/// <summary>What tells the adaptive limit that the node was overloaded: a count that only grows.</summary>
public interface IOverloadSignal
{
    long Count { get; }
}

/// <summary>The node was overloaded when the database pool ran out of time to give a connection.</summary>
public sealed class PoolTimeoutSignal(PoolEngine engine) : IOverloadSignal
{
    public long Count => engine.AcquireTimeouts;
}
