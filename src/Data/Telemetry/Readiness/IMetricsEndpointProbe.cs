namespace ExamConsole.Data.Telemetry.Readiness;

/// <summary>
/// The checklist's <c>metrics</c> check: does the node's Prometheus endpoint answer? The host
/// side implements it (it knows the web server's addresses); the data side only evaluates it.
/// </summary>
public interface IMetricsEndpointProbe
{
    Task<ReadinessCheck> CheckAsync(CancellationToken cancellationToken);
}
