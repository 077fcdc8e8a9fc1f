using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ExamConsole.Api.Infrastructure;

/// <summary>The RFC 7807 answers of the teacher API, worded once.</summary>
public static class Problems
{
    public static ProblemHttpResult NotFound(string detail) => TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    public static ProblemHttpResult Forbidden(string detail) => TypedResults.Problem(detail, statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");

    public static ProblemHttpResult Conflict(string detail) => TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict");

    public static ProblemHttpResult Gone(string detail) => TypedResults.Problem(detail, statusCode: StatusCodes.Status410Gone, title: "Gone");

    public static ProblemHttpResult Unauthorized(string detail) => TypedResults.Problem(detail, statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized");

    public static ValidationProblem Invalid(IDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "The request is not valid.");

    public static ValidationProblem Invalid(string field, string message) => Invalid(new Dictionary<string, string[]> { [field] = [message] });

    /// <summary>429 or 503 with Retry-After (whole seconds, at least 1).</summary>
    public static RetryAfterProblem TryLater(int statusCode, TimeSpan retryAfter, string detail) =>
        new(TypedResults.Problem(detail, statusCode: statusCode, title: statusCode == StatusCodes.Status429TooManyRequests ? "Too many requests" : "Service unavailable"), retryAfter);

    public static string RetryAfterValue(TimeSpan retryAfter) =>
        Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);

}

/// <summary>A problem answer that tells the client when to try again (429 or 503).</summary>
public sealed class RetryAfterProblem(ProblemHttpResult inner, TimeSpan retryAfter) : IResult, IStatusCodeHttpResult
{
    public int? StatusCode => inner.StatusCode;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.Headers.RetryAfter = Problems.RetryAfterValue(retryAfter);
        return inner.ExecuteAsync(httpContext);
    }
}
