using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using ExamConsole.Api.Admission;
using ExamConsole.Api.Infrastructure;
using ExamConsole.Api.Tests.Support;
using ExamConsole.Testing;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace ExamConsole.Api.Tests.Telemetry;

/// <summary>What a submit's trace shows with tracing on, and that it reaches an OTLP collector.</summary>
[Collection(TracingCollection.Name)]
public sealed class SubmitTracingTests(TracingFixture fixture)
{
    [Fact]
    public async Task Submit_WithTracingOn_RequestSpanHasAdmissionGatherAndCommitAndItsBatchHoldsTheSql()
    {
        var attempt = await fixture.ActiveAttemptAsync();

        var response = await attempt.Client.PostAsJsonAsync(attempt.SubmitUrl, new { submissionId = Guid.NewGuid(), answers = new[] { attempt.Answer(0, 1) } });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var request = await RequestSpanAsync(attempt.SubmitUrl);
        Assert.Equal("POST /api/attempts/{attemptId:long}/submit", request.DisplayName);
        var spans = fixture.Spans.Snapshot();
        var children = spans.Where(s => s.TraceId == request.TraceId && s.ParentSpanId == request.SpanId).ToList();

        var admission = Assert.Single(children, s => s.DisplayName == ExamTracing.AdmissionSpan);
        Assert.Equal("admitted", admission.GetTagItem(ExamTracing.AdmissionOutcomeTag));
        Assert.Equal("high", admission.GetTagItem(ExamTracing.AdmissionPriorityTag));
        var gather = Assert.Single(children, s => s.DisplayName == ExamTracing.GatherSpan);
        var commit = Assert.Single(children, s => s.DisplayName == ExamTracing.CommitSpan);
        Assert.True(admission.StartTimeUtc + admission.Duration <= gather.StartTimeUtc, "the submission is queued only once admitted");
        // The gather ends where the batch's commit starts: both are the moment the batch closed.
        Assert.Equal(gather.StartTimeUtc + gather.Duration, commit.StartTimeUtc);
        Assert.Equal(ActivityStatusCode.Unset, commit.Status);

        // The commit links to the batch's own span, which links back to every request it served and holds the SQL.
        var toBatch = Assert.Single(commit.Links);
        var batch = Assert.Single(spans, s => s.SpanId == toBatch.Context.SpanId);
        Assert.Equal(ExamTracing.BatchSpan, batch.DisplayName);
        Assert.NotEqual(request.TraceId, batch.TraceId);
        Assert.Contains(batch.Links, l => l.Context.SpanId == request.SpanId && l.Context.TraceId == request.TraceId);
        Assert.Equal(batch.Links.Count(), (int)batch.GetTagItem(ExamTracing.BatchSizeTag)!);
        var sql = spans.Where(s => s.Source.Name == "Npgsql" && s.TraceId == batch.TraceId && s.ParentSpanId == batch.SpanId).ToList();
        Assert.Contains(sql, s => s.GetTagItem("db.query.text") is string text && text.Contains("INSERT INTO submissions", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Submit_WithGroupCommitOff_CommitSpanIsTheRequestsChildAndHoldsTheSql()
    {
        var spans = new SpanLog();
        await using var host = fixture.NewHost(spans);
        host.Settings["Submit:GroupCommit"] = "false";
        var attempt = await fixture.ActiveAttemptAsync(host);

        var response = await attempt.Client.PostAsJsonAsync(attempt.SubmitUrl, new { submissionId = Guid.NewGuid(), answers = new[] { attempt.Answer(2, 3) } });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var request = await RequestSpanAsync(spans, attempt.SubmitUrl);
        var all = spans.Snapshot();
        var children = all.Where(s => s.TraceId == request.TraceId && s.ParentSpanId == request.SpanId).ToList();
        Assert.Single(children, s => s.DisplayName == ExamTracing.AdmissionSpan);
        Assert.DoesNotContain(children, s => s.DisplayName == ExamTracing.GatherSpan);
        var commit = Assert.Single(children, s => s.DisplayName == ExamTracing.CommitSpan);
        Assert.Empty(commit.Links);
        Assert.DoesNotContain(all, s => s.DisplayName == ExamTracing.BatchSpan);
        Assert.Contains(all, s => s.Source.Name == "Npgsql" && s.ParentSpanId == commit.SpanId
            && s.GetTagItem("db.query.text") is string text && text.Contains("INSERT INTO submissions", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Submit_ShedByAFullGate_AdmissionSpanSaysShed()
    {
        var attempt = await fixture.ActiveAttemptAsync();
        var gate = fixture.Host.Services.GetRequiredService<AdmissionController>();
        var before = gate.State();
        // No slot and no queue: the gate sheds every teacher request at once.
        gate.Update(maxConcurrent: 0, queueLimit: 0);
        HttpResponseMessage response;
        try
        {
            response = await attempt.Client.PostAsJsonAsync(attempt.SubmitUrl, new { submissionId = Guid.NewGuid(), answers = new[] { attempt.Answer(0, 0) } });
        }
        finally
        {
            gate.Update(before.Mode, before.MaxConcurrent, before.QueueLimit);
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var request = await RequestSpanAsync(attempt.SubmitUrl);
        var children = fixture.Spans.Snapshot().Where(s => s.TraceId == request.TraceId && s.ParentSpanId == request.SpanId).ToList();
        var admission = Assert.Single(children);
        Assert.Equal(ExamTracing.AdmissionSpan, admission.DisplayName);
        Assert.Equal("shed", admission.GetTagItem(ExamTracing.AdmissionOutcomeTag));
    }

    [Fact]
    public async Task Submit_WithOtlpEndpointSet_TracesAndMetricsReachTheCollector()
    {
        var attempt = await fixture.ActiveAttemptAsync();
        var response = await attempt.Client.PostAsJsonAsync(attempt.SubmitUrl, new { submissionId = Guid.NewGuid(), answers = new[] { attempt.Answer(1, 2) } });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await RequestSpanAsync(attempt.SubmitUrl);

        // The exporters send in batches every few seconds; a flush sends what they hold now and returns once it is sent.
        Assert.True(fixture.Host.Services.GetRequiredService<TracerProvider>().ForceFlush(10_000), "the tracer provider's flush failed");
        fixture.Host.Services.GetRequiredService<MeterProvider>().ForceFlush(10_000);

        Assert.True(fixture.Receiver.Received("/v1/traces", ExamTracing.CommitSpan), "no exported trace has the submit commit span");
        Assert.True(fixture.Receiver.Received("/v1/traces", ExamTracing.BatchSpan), "no exported trace has the batch span");
        Assert.True(fixture.Receiver.Received("/v1/traces", "INSERT INTO submissions"), "no exported trace has Npgsql's command span");
        Assert.True(fixture.Receiver.Received("/v1/traces", Infrastructure.Telemetry.DefaultServiceName), "the exported resource does not name the service");
        foreach (var metric in new[] { "db.client.connection.wait_time", "db.client.connection.count", "http.server.request.duration", "aspnetcore.rate_limiting.requests", "dotnet.gc.collections", "resilience.polly.pipeline.duration" })
        {
            Assert.True(fixture.Receiver.Received("/v1/metrics", metric), $"no exported metrics carry {metric}");
        }
    }

    [Fact]
    public void Host_WithOtlpEndpointSet_HasATracerProviderListeningToTheApiSource()
    {
        Assert.True(Infrastructure.Telemetry.OtlpConfigured(fixture.Host.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()));
        Assert.NotNull(fixture.Host.Services.GetService<TracerProvider>());
        Assert.True(ExamTracing.Source.HasListeners());
    }

    // ASP.NET Core ends the request's span after the response is sent: wait for it to be exported.
    private Task<Activity> RequestSpanAsync(string path) => RequestSpanAsync(fixture.Spans, path);

    private static async Task<Activity> RequestSpanAsync(SpanLog spans, string path) =>
        (await Eventually.UntilAsync(
            () => Task.FromResult(spans.Find(s => s.Kind == ActivityKind.Server && s.GetTagItem("url.path") as string == path)),
            span => span is not null,
            $"the request span of {path} is exported"))!;
}
