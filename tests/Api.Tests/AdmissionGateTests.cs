using System.Net;
using ExamConsole.Api.Admission;
using Microsoft.Extensions.DependencyInjection;

namespace ExamConsole.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class AdmissionGateTests(ApiFixture fixture)
{
    [Fact]
    public async Task TeacherRequest_WhenGateIsFull_Gets503WithRetryAfterAtOnce()
    {
        var gate = fixture.Factory.Services.GetRequiredService<AdmissionController>();
        var before = gate.State();
        var teacher = await fixture.Data.CreateTeacherAsync();
        using var client = await fixture.Factory.TeacherClientAsync(teacher.Code, teacher.Password);
        gate.Update(maxConcurrent: 1, queueLimit: 0);
        try
        {
            using (await gate.For(AdmissionPriority.High).AcquireAsync())
            {
                var shed = await client.GetAsync("/api/exams");
                Assert.Equal(HttpStatusCode.ServiceUnavailable, shed.StatusCode);
                // Whole seconds: at least Admission:RetryAfter (1 s), at most twice Admission:MaxRetryAfter (10 s).
                var retryAfter = int.Parse(shed.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
                Assert.InRange(retryAfter, 1, 20);
                Assert.Equal("application/problem+json", shed.Content.Headers.ContentType?.MediaType);
                // Operator and health requests are never held back by the gate.
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
            }
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/exams")).StatusCode);
        }
        finally
        {
            gate.Update(before.MaxConcurrent, before.QueueLimit);
        }
        // One request shed, counted once (the middleware's attempt before it queues is not a shed).
        Assert.Equal(before.RejectedTotal + 1, gate.State().RejectedTotal);
    }

    [Fact]
    public async Task TeacherRequest_QueuedThenServed_IsNotCountedAsShed()
    {
        var gate = fixture.Factory.Services.GetRequiredService<AdmissionController>();
        var before = gate.State();
        var teacher = await fixture.Data.CreateTeacherAsync();
        using var client = await fixture.Factory.TeacherClientAsync(teacher.Code, teacher.Password);
        gate.Update(maxConcurrent: 1, queueLimit: 10);
        try
        {
            Task<HttpResponseMessage> queued;
            using (await gate.For(AdmissionPriority.High).AcquireAsync())
            {
                queued = client.GetAsync("/api/exams");
                for (var i = 0; gate.State().Queued == 0; i++)
                {
                    Assert.True(i < 1000, "the request did not queue within 10 s");
                    await Task.Delay(10);
                }
            }
            using var served = await queued;
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        }
        finally
        {
            gate.Update(before.MaxConcurrent, before.QueueLimit);
        }
        Assert.Equal(before.RejectedTotal, gate.State().RejectedTotal);
    }

    [Theory]
    [InlineData("POST", "/api/attempts/5/submit", "high")]
    [InlineData("PUT", "/api/attempts/5/answers", "high")]
    [InlineData("GET", "/api/exams/1/paper", "low")]
    [InlineData("GET", "/api/exams", "low")]
    [InlineData("POST", "/api/auth/login", "low")]
    [InlineData("GET", "/api/admin/pool", "none")]
    [InlineData("GET", "/metrics", "none")]
    public void Classify_Request_GivesItsPriority(string method, string path, string expected)
    {
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = path;
        Assert.Equal(expected, AdmissionGate.Classify(context.Request));
    }
}
