namespace ExamConsole.Api.Resilience;

/// <summary>The database circuit as operators see it and open or close it by hand.</summary>
public interface ICircuitControl
{
    /// <summary><c>closed</c>, <c>open</c>, <c>half_open</c> or <c>isolated</c>.</summary>
    string State { get; }

    /// <summary>Raised after every state change, with the new state and who caused it (null: the breaker itself).</summary>
    event Action<string, string?>? StateChanged;

    Task OpenAsync(string actor);

    Task CloseAsync(string actor);
}
