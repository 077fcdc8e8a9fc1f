using System.Text.Json;
using ExamConsole.Api.Resilience;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Polly.CircuitBreaker;

namespace ExamConsole.Api.Infrastructure;

/// <summary>
/// Turns every exception that escapes an endpoint into a problem+json answer: the status a bad
/// request deserves, 503 with Retry-After when the database cannot be reached, otherwise a bare
/// 500. Never a stack trace, SQL text or connection string.
/// </summary>
public sealed partial class ApiExceptionHandler(IProblemDetailsService problemDetails, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (httpContext.RequestAborted.IsCancellationRequested)
        {
            // The client left; nobody reads an answer.
            return true;
        }
        ProblemDetails problem;
        switch (exception)
        {
            case BadHttpRequestException bad:
                problem = BadRequest(bad);
                break;
            case var e when DatabaseResilience.IsUnavailable(e):
                LogDatabaseUnavailable(exception.GetType().Name, exception.Message);
                httpContext.Response.Headers.RetryAfter = exception is BrokenCircuitException { RetryAfter: { } wait }
                    ? Problems.RetryAfterValue(wait)
                    : "2";
                problem = new ProblemDetails
                {
                    Status = StatusCodes.Status503ServiceUnavailable,
                    Title = "Service unavailable",
                    Detail = "The exam database is not answering in time. Try again shortly.",
                };
                break;
            default:
                LogUnhandled(exception);
                problem = new ProblemDetails
                {
                    Status = StatusCodes.Status500InternalServerError,
                    Title = "An unexpected error occurred.",
                };
                break;
        }
        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    private static ProblemDetails BadRequest(BadHttpRequestException bad)
    {
        if (bad.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return new ProblemDetails { Status = bad.StatusCode, Title = "Request body too large", Detail = "The request body is larger than this API accepts." };
        }
        if (bad.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            return new ProblemDetails { Status = bad.StatusCode, Title = "Unsupported media type", Detail = "Send the body as application/json." };
        }
        var errors = new Dictionary<string, string[]>();
        if (FindInner<JsonException>(bad) is { } json)
        {
            // The path names the field ($.answers[0].questionId); the message of the exception may name .NET types, so it is not sent.
            errors[string.IsNullOrEmpty(json.Path) ? "$" : json.Path] = ["The JSON is malformed or a value has the wrong type."];
        }
        else
        {
            errors["$"] = ["The request body is missing or cannot be read."];
        }
        return new HttpValidationProblemDetails(errors) { Status = bad.StatusCode, Title = "The request is not valid." };
    }

    private static T? FindInner<T>(Exception exception) where T : Exception
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is T match)
            {
                return match;
            }
        }
        return null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Answered 503: the database is unavailable ({ExceptionType}: {Message})")]
    private partial void LogDatabaseUnavailable(string exceptionType, string message);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception; answered 500")]
    private partial void LogUnhandled(Exception exception);
}
