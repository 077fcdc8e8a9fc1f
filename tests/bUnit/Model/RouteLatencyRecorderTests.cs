using System.Diagnostics.Metrics;
using ExamConsole.Console.Model;
using Microsoft.Extensions.Time.Testing;

namespace ExamConsole.Console.Tests.Model;

public sealed class RouteLatencyRecorderTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));

    private RouteLatencyRecorder Recorder(IMeterFactory? scope = null) =>
        new(Microsoft.Extensions.Options.Options.Create(new ConsoleOptions { SloWindow = TimeSpan.FromSeconds(10) }), _time, scope);

    [Fact]
    public void Recorder_ComputesRateErrorsAndPercentiles_PerRoute()
    {
        using var recorder = Recorder();
        for (var i = 1; i <= 100; i++)
        {
            recorder.Record("GET", "/api/exams/{examId}/paper", i <= 2 ? 503 : 200, i / 10.0);
        }

        var paper = Assert.Single(recorder.Read());
        Assert.Equal("GET /api/exams/{examId}/paper", paper.Route);
        Assert.Equal(10, paper.RequestsPerSecond);
        Assert.Equal(2, paper.ErrorRatePercent);
        AssertWithinPrecision(5.0, paper.P50Ms);
        AssertWithinPrecision(9.5, paper.P95Ms);
        AssertWithinPrecision(9.9, paper.P99Ms);
    }

    [Fact]
    public void Recorder_Percentiles_CoverTheWholeWindow_AtAnyRate()
    {
        using var recorder = Recorder();
        // 10,000 slow requests, then 10,000 fast ones, all within the 10 s window: the slow half is
        // still in it, whatever the rate.
        foreach (var milliseconds in new[] { 50.0, 1.0 })
        {
            for (var i = 0; i < 10_000; i++)
            {
                recorder.Record("GET", "/api/exams/{examId}/paper", 200, milliseconds);
                _time.Advance(TimeSpan.FromMilliseconds(0.4));
            }
        }

        var paper = Assert.Single(recorder.Read());
        Assert.Equal(20_000, paper.Requests);
        AssertWithinPrecision(1.0, paper.P50Ms);
        AssertWithinPrecision(50.0, paper.P95Ms);
    }

    [Fact]
    public void Recorder_ForgetsRequests_OlderThanTheWindow()
    {
        using var recorder = Recorder();
        recorder.Record("POST", "/api/auth/login", 200, 2);

        _time.Advance(TimeSpan.FromSeconds(11));

        Assert.Empty(recorder.Read());
    }

    [Fact]
    public void Recorder_IgnoresTheConsolesOwnRoutes()
    {
        using var recorder = Recorder();

        recorder.Record("GET", "/", 200, 20);
        recorder.Record("POST", "/_blazor/negotiate", 200, 3);

        Assert.Empty(recorder.Read());
    }

    [Fact]
    public void Recorder_HearsAspNetCoresRequestDuration_ByRouteAndStatus()
    {
        using var meter = new Meter(RouteLatencyRecorder.MeterName);
        var duration = meter.CreateHistogram<double>(RouteLatencyRecorder.InstrumentName, "s");
        using var recorder = Recorder();

        duration.Record(0.004, new("http.route", "/api/auth/login"), new("http.request.method", "POST"), new("http.response.status_code", 200));
        duration.Record(0.002, new("http.route", "/api/auth/login"), new("http.request.method", "POST"), new("http.response.status_code", 500));

        var login = Assert.Single(recorder.Read());
        Assert.Equal("POST /api/auth/login", login.Route);
        Assert.Equal(50, login.ErrorRatePercent);
        AssertWithinPrecision(4, login.P99Ms);
    }

    [Theory]
    [InlineData("/api/exams/{examId:int}/paper", "/api/exams/{examId}/paper")]
    [InlineData("/api/attempts/{attemptId:long}/submit", "/api/attempts/{attemptId}/submit")]
    [InlineData("/api/exams/", "/api/exams")]
    [InlineData("/api/things/{id:int:min(1)}/{rest?}", "/api/things/{id}/{rest}")]
    [InlineData("/", "/")]
    public void Recorder_NamesRoutesWithoutConstraints_AsTheTargetsDo(string route, string expected) =>
        Assert.Equal(expected, RouteLatencyRecorder.Normalize(route));

    [Fact]
    public void Recorder_MatchesTheSeedsTargets_ForConstrainedRoutes()
    {
        using var recorder = Recorder();

        recorder.Record("GET", "/api/exams/{examId:int}/paper", 200, 1);

        Assert.Equal(new ConsoleOptions().Targets["paper"].Route, Assert.Single(recorder.Read()).Route);
    }

    /// <summary>Percentiles come from HdrHistogram at 3 significant digits: a bucket's highest value, at most 0.1 % above.</summary>
    private static void AssertWithinPrecision(double exactMs, double actualMs) =>
        Assert.InRange(actualMs, exactMs, exactMs * 1.001 + 0.001);
}
