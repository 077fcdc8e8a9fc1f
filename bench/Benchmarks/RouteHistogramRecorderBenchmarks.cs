using BenchmarkDotNet.Attributes;
using ExamConsole.Api.History;

namespace ExamConsole.Benchmarks;

/// <summary>
/// What the history's route recorder costs on the request path: one request recorded (its bucket
/// found and counted under its route's lock), and one second's harvest of 10 routes (what the
/// history's sampler does once a second).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[MinColumn]
[Config(typeof(PoolLeaseBenchmarks.ShortConfig))]
public class RouteHistogramRecorderBenchmarks
{
    private const int Requests = 1_000;

    private readonly RouteHistogramRecorder _recorder = new(scope: null);
    private readonly RouteHistogramRecorder _harvested = new(scope: null);

    [GlobalCleanup]
    public void Cleanup()
    {
        _recorder.Dispose();
        _harvested.Dispose();
    }

    [Benchmark(OperationsPerInvoke = Requests)]
    public void Record()
    {
        for (var i = 0; i < Requests; i++)
        {
            _recorder.Record("GET", "/api/exams/{examId:int}/paper", 200, 0.5 + (i % 100));
        }
    }

    [Benchmark]
    public int Harvest_TenRoutes()
    {
        for (var route = 0; route < 10; route++)
        {
            _harvested.Record("GET", "/api/route-" + route, 200, 1 + route);
        }
        return _harvested.Harvest("node", DateTimeOffset.UnixEpoch).Count;
    }
}
