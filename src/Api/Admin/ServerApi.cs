using System.Security.Claims;
using ExamConsole.Api.Infrastructure;
using ExamConsole.Data.Bouncer;
using ExamConsole.Data.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace ExamConsole.Api.Admin;

/// <summary>The server view and the slow-command log for operators: read with <see cref="AdminPolicies.Read"/>, cancel and terminate with <see cref="AdminPolicies.Act"/>.</summary>
public static partial class ServerApi
{
    public const int DefaultLimit = 20;

    public static RouteGroupBuilder MapServerApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("").WithTags("Operator: server");
        group.MapGet("/slow-queries", SlowQueriesAsync)
            .WithSummary("Top statements (pg_stat_statements) and the newest slow commands of this node; limit applies to both lists.");
        group.MapGet("/server", ServerAsync);
        group.MapPost("/server/backends/{pid:int}/cancel", CancelAsync).RequireAuthorization(AdminPolicies.Act);
        group.MapPost("/server/backends/{pid:int}/terminate", TerminateAsync).RequireAuthorization(AdminPolicies.Act);
        return group;
    }

    public static async Task<Results<Ok<SlowQueriesResponse>, ValidationProblem>> SlowQueriesAsync(
        string? sort,
        int? limit,
        ServerView view,
        SlowCommandLog log,
        SlowCommandRecorder recorder,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        StatementSort order = StatementSort.Total;
        if (sort is not null && !TryParseSort(sort, out order))
        {
            errors["sort"] = ["sort must be total, mean or calls."];
        }
        var n = limit ?? DefaultLimit;
        if (n is < 1 or > ServerView.MaxStatements)
        {
            errors["limit"] = [$"limit must be between 1 and {ServerView.MaxStatements}."];
        }
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }
        var statements = await view.TopStatementsAsync(order, n, cancellationToken);
        var longRunning = await view.LongRunningAsync(null, cancellationToken);
        return TypedResults.Ok(new SlowQueriesResponse(
            statements.Available,
            statements.Advice,
            order.ToString().ToLowerInvariant(),
            statements.Statements.Select(StatementResponse.From).ToList(),
            log.Recent(n).Select(SlowCommandResponse.From).ToList(),
            recorder.Threshold.TotalMilliseconds,
            log.TotalRecorded,
            longRunning.Select(LongRunningResponse.From).ToList()));
    }

    public static async Task<Ok<ServerResponse>> ServerAsync(ServerView view, IServerSampler sampler, BouncerSampler bouncer, BouncerReader bouncerReader, CancellationToken cancellationToken)
    {
        // PgBouncer first and on its own: it answers (with its waiting clients) when PostgreSQL does not.
        BouncerResponse? bouncerFigures = null;
        if (bouncer.InPath)
        {
            try
            {
                bouncerFigures = BouncerResponse.From(bouncerReader.Database, await bouncer.SampleAsync(cancellationToken), null);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested && bouncer.LastError is { } error)
            {
                bouncerFigures = BouncerResponse.From(bouncerReader.Database, bouncer.Latest, error);
            }
        }
        // Read now, through the one sampler, which keeps the figures for the pool snapshot too.
        var stats = await sampler.SampleAsync(cancellationToken);
        var longRunning = await view.LongRunningAsync(null, cancellationToken);
        return TypedResults.Ok(new ServerResponse(
            stats.At,
            stats.MaxConnections,
            new BackendsResponse(stats.Active, stats.Idle, stats.IdleInTransaction, stats.Waiting, stats.Total),
            view.LongRunningThreshold.TotalMilliseconds,
            longRunning.Select(LongRunningResponse.From).ToList(),
            sampler.Latest?.At,
            bouncerFigures));
    }

    public static Task<Results<Ok<BackendSignalResponse>, ProblemHttpResult>> CancelAsync(
        int pid, ClaimsPrincipal user, OperatorActions actions, CancellationToken cancellationToken) =>
        SignalAsync("cancel", pid, user, actions, cancellationToken);

    public static Task<Results<Ok<BackendSignalResponse>, ProblemHttpResult>> TerminateAsync(
        int pid, ClaimsPrincipal user, OperatorActions actions, CancellationToken cancellationToken) =>
        SignalAsync("terminate", pid, user, actions, cancellationToken);

    private static async Task<Results<Ok<BackendSignalResponse>, ProblemHttpResult>> SignalAsync(
        string action,
        int pid,
        ClaimsPrincipal user,
        OperatorActions actions,
        CancellationToken cancellationToken)
    {
        var result = await actions.SignalBackendAsync(AdminChanges.ActorOf(user), pid, terminate: action == "terminate", cancellationToken);
        return result switch
        {
            BackendSignal.Sent => TypedResults.Ok(new BackendSignalResponse(pid, action, true)),
            BackendSignal.NotPermitted => Problems.Conflict(
                $"The database role of this node may not {action} backend {pid}: grant it pg_signal_backend (GRANT pg_signal_backend TO <role>)."),
            _ => Problems.NotFound($"{pid} is not a backend of this database (or it has ended)."),
        };
    }

    private static bool TryParseSort(string text, out StatementSort sort)
    {
        sort = text.ToLowerInvariant() switch
        {
            "total" => StatementSort.Total,
            "mean" => StatementSort.Mean,
            "calls" => StatementSort.Calls,
            _ => (StatementSort)(-1),
        };
        return Enum.IsDefined(sort);
    }
}
