using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Plexus.Engine.Execution;
using Plexus.Engine.Workflows;
using Plexus.Persistence;
using Plexus.Persistence.Model;
using Plexus.Server.Features.Projects;
using Plexus.Server.Infrastructure;
using Plexus.Server.Infrastructure.Access;
using Plexus.Server.Infrastructure.ExecutionStore;

namespace Plexus.Server.Features.Executions;

/// <summary>
/// Runs of workflows: start one (the draft, a version, what a stage publishes; from a node), list and read executions
/// with their node runs, cancel, resume a wait (as a member, or anonymously with its single-use token), delete.
/// </summary>
public static class ExecutionsApi
{
    public const int DefaultTimeoutMs = 30_000;
    public const int MaxTimeoutMs = 300_000;

    /// <summary>How long cancelling waits for a run of this process to stop and record itself.</summary>
    private static readonly TimeSpan CancelGrace = TimeSpan.FromSeconds(10);

    private static readonly HashSet<string> StatusWords = new(StringComparer.Ordinal)
    {
        ExecutionStatus.Queued, ExecutionStatus.Running, ExecutionStatus.Waiting, ExecutionStatus.Succeeded, ExecutionStatus.Failed, ExecutionStatus.Cancelled,
    };

    public static IEndpointRouteBuilder MapExecutionsApi(this IEndpointRouteBuilder app)
    {
        var runs = app.MapGroup("/api/v1/workflows/{workflowId:guid}/runs").WithTags("Executions").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status403Forbidden);
        runs.MapPost("/", RunWorkflow).WithName("RunWorkflow").WithSummary("Run a workflow")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithDescription("Runs the draft (on `dev`, the default), a `version`, or the version published on a non-dev `stage` (none published → 409 `not-published`). `fromNode` runs only what is reachable from that node, upstream outputs coming from `pinned` (else the draft's pinned data) or from the earlier execution `fromExecution`. Without `?wait=true` the run goes to the durable queue → 202 with `{ id, status: queued, statusUrl }` and `Location`, or 503 `queue-full` with `Retry-After` when the queue is full; with it → 200 with the execution once it ends or waits (its pending `waits` with their resume tokens, shown only here), or 202 after `timeoutMs` (default 30000, at most 300000). An invalid workflow → 422 with `errors` by path.");

        var executions = app.MapGroup("/api/v1/executions").WithTags("Executions").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status403Forbidden);
        executions.MapGet("/", ListExecutions).WithName("ListExecutions").WithSummary("List executions")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .WithDescription("Executions of the caller's organisations (an API key: its own), newest first, without node runs. Filters: `workflowId`, `status` (a status word), `from`/`to` (ISO 8601; started at or after `from`, before `to`). `limit` (default 50, at most 500) and `cursor` (the previous page's `next`).");
        executions.MapGet("/{executionId:guid}", GetExecution).WithName("GetExecution").WithSummary("Get an execution with its node runs")
            .WithDescription("The execution and its node runs in order, values as stored (secrets masked, large values cut and marked). A waiting node run shows `waiting: true`, never its token.");
        executions.MapPost("/{executionId:guid}/cancel", CancelExecution).WithName("CancelExecution").WithSummary("Cancel a running or waiting execution")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithDescription("Stops the run, through whichever replica runs it, and answers the execution, now `cancelled`. One that already ended → 409 `execution-ended`.");
        executions.MapPost("/{executionId:guid}/resume", ResumeExecution).WithName("ResumeExecution").WithSummary("Resume a waiting execution at a node")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status409Conflict)
            .WithDescription("The `payload` becomes the output of the waiting node `node`; answers like a run with `?wait=true` (200 with the execution once it ends or waits again, 202 after `timeoutMs`). Not waiting → 409 `not-waiting`; no wait at that node → 404.");
        executions.MapDelete("/{executionId:guid}", DeleteExecution).WithName("DeleteExecution").WithSummary("Delete an execution")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithDescription("Deletes the execution and its node runs. A queued or running one → 409 `execution-running` (cancel it first).");

        app.MapPost("/api/v1/resume/{token}", ResumeByToken).WithName("ResumeByToken").WithSummary("Resume a wait with its token")
            .WithTags("Executions").AllowAnonymous()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithDescription("For anyone holding the single-use resume token (approval links): no credentials. The `payload` becomes the waiting node's output; answers only `{ id, status }`. A used token → 409 `token-used`; an unknown one → 404.");
        return app;
    }

    public static async Task<Results<Ok<ExecutionView>, Accepted<RunAccepted>, ProblemHttpResult>> RunWorkflow(
        Guid workflowId,
        RunRequestBody? body,
        bool? wait,
        int? timeoutMs,
        [FromHeader(Name = "X-Correlation-Id")] string? correlationId,
        [AsParameters] ExecutionServices services,
        HttpContext http,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        var (workflow, problem) = await services.Projects.WorkflowAsync(workflowId, Permission.ExecutionsRun, cancellationToken);
        if (workflow is null)
        {
            return problem!;
        }

        body ??= new RunRequestBody(null, null, null, null, null, null);
        var problems = new List<(string, string)>();
        CheckTimeout(timeoutMs, problems);
        if (body.Stage is { } named && string.IsNullOrWhiteSpace(named))
        {
            problems.Add(("stage", "must be a stage name"));
        }

        if (body.Version is <= 0)
        {
            problems.Add(("version", "must be a version number (1 or more)"));
        }

        if (body.FromExecution is not null && body.FromNode is null)
        {
            problems.Add(("fromNode", "is required with fromExecution"));
        }

        if (body.FromNode is { } from && string.IsNullOrWhiteSpace(from))
        {
            problems.Add(("fromNode", "must be a node id"));
        }

        if (problems.Count > 0)
        {
            return Problems.Validation(problems);
        }

        var db = services.Db;
        var stage = body.Stage ?? "dev";
        if (!await db.Stages.AnyAsync(s => s.ProjectId == workflow.ProjectId && s.Name == stage, cancellationToken))
        {
            return Problems.NotFound($"stage '{stage}'");
        }

        var (text, version, refused) = await DocumentToRunAsync(db, workflow, stage, body.Version, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        var parsed = WorkflowFile.Parse(text!);
        if (parsed.Document is not { } document)
        {
            return Problems.Validation(parsed.Problems.Select(p => (p.Path, p.Message)), "The workflow is not valid");
        }

        IReadOnlyDictionary<string, JsonNode?>? known = null;
        if (body.FromNode is not null)
        {
            (known, refused) = await KnownOutputsAsync(db, workflow, document, body, cancellationToken);
            if (refused is not null)
            {
                return refused;
            }
        }

        // The run's ids are known before it starts, so that the scope holds every line logged on its behalf.
        var executionId = Guid.CreateVersion7(services.Clock.GetUtcNow());
        var correlation = string.IsNullOrWhiteSpace(correlationId) ? null : correlationId.Trim();
        using var logScope = RunLogScope.Begin(services.Logger, correlation, executionId);
        var start = new RunStart
        {
            Workflow = workflow,
            Document = document,
            Version = version,
            Stage = stage,
            Input = body.Input,
            FromNode = body.FromNode,
            KnownOutputs = known,
            Pinned = body.Pinned,
            UsePinned = body.Pinned is not null || body.FromNode is not null,
            CorrelationId = correlation,
            ExecutionId = executionId,
            Live = true,
        };
        if (wait != true)
        {
            // Not waited for: a durable queue item, run by a worker of any replica (and again if that replica dies).
            var queued = await services.Queue.EnqueueAsync(start, cancellationToken);
            if (queued.Kind == ExecutionOutcomeKind.QueueFull)
            {
                return QueueFull(http, queued.RetryAfter);
            }

            return Refusal(queued) ?? (Results<Ok<ExecutionView>, Accepted<RunAccepted>, ProblemHttpResult>)Accepted(queued.ExecutionId,
                ExecutionStatus.Queued);
        }

        var outcome = await services.Runner.StartAsync(start, cancellationToken);
        if (Refusal(outcome) is { } refusal)
        {
            return refusal;
        }

        var ended = await WithinAsync(outcome.Completion!, timeoutMs, services.Clock, cancellationToken);
        await services.Recorder.FlushAsync(cancellationToken);
        if (ended is null)
        {
            return Accepted(outcome.ExecutionId);
        }

        return Refusal(ended) ?? (Results<Ok<ExecutionView>, Accepted<RunAccepted>, ProblemHttpResult>)TypedResults.Ok(
            ExecutionView.Of(ended.ExecutionId, workflow.Id, workflow.ProjectId, version, ended.Result!));
    }

    public static async Task<Results<Ok<Page<ExecutionSummary>>, ProblemHttpResult>> ListExecutions(
        string? workflowId,
        string? status,
        string? from,
        string? to,
        string? limit,
        string? cursor,
        [AsParameters] ExecutionServices services,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        var problems = new List<(string, string)>();
        Guid? workflow = null;
        if (!string.IsNullOrEmpty(workflowId))
        {
            if (Guid.TryParse(workflowId, out var id))
            {
                workflow = id;
            }
            else
            {
                problems.Add(("workflowId", "must be a workflow id"));
            }
        }

        if (!string.IsNullOrEmpty(status) && !StatusWords.Contains(status))
        {
            problems.Add(("status", "must be one of " + string.Join(", ", StatusWords)));
        }

        var after = ReadTime(from, "from", problems);
        var before = ReadTime(to, "to", problems);
        var take = Paging.DefaultLimit;
        if (!string.IsNullOrEmpty(limit)
            && (!int.TryParse(limit, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out take) || take is < 1 or > Paging.MaxLimit))
        {
            problems.Add(("limit", $"must be 1..{Paging.MaxLimit.ToString(CultureInfo.InvariantCulture)}"));
            take = Paging.DefaultLimit;
        }

        (DateTimeOffset StartedAt, Guid Id)? position = null;
        if (!Paging.TryRead(take, cursor, out var pageSize, out var key, out _) || (key is not null && (position = ExecutionCursor.Read(key)) is null))
        {
            problems.Add(("cursor", "is not a cursor from a previous page"));
        }

        if (problems.Count > 0)
        {
            return Problems.Validation(problems);
        }

        var query = services.Db.Executions.AsNoTracking();
        if (workflow is { } workflowFilter)
        {
            var (row, problem) = await services.Projects.WorkflowAsync(workflowFilter, Permission.WorkflowsRead, cancellationToken);
            if (row is null)
            {
                return problem!;
            }

            query = query.Where(e => e.WorkflowId == row.Id);
        }
        else
        {
            var (visible, problem) = await VisibleAsync(services, query, cancellationToken);
            if (visible is null)
            {
                return problem!;
            }

            query = visible;
        }

        if (!string.IsNullOrEmpty(status))
        {
            query = query.Where(e => e.Status == status);
        }

        if (after is { } since)
        {
            query = query.Where(e => e.StartedAt >= since);
        }

        if (before is { } until)
        {
            query = query.Where(e => e.StartedAt < until);
        }

        if (position is var (at, last))
        {
            query = query.Where(e => e.StartedAt < at || (e.StartedAt == at && e.Id.CompareTo(last) < 0));
        }

        var rows = await query.OrderByDescending(e => e.StartedAt).ThenByDescending(e => e.Id).Take(pageSize + 1).ToListAsync(cancellationToken);
        return TypedResults.Ok(Paging.Cut(rows, pageSize, ExecutionSummary.Of, ExecutionCursor.Key));
    }

    public static async Task<Results<Ok<ExecutionView>, ProblemHttpResult>> GetExecution(
        Guid executionId, [AsParameters] ExecutionServices services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        var (row, problem) = await services.ExecutionAsync(executionId, Permission.WorkflowsRead, cancellationToken);
        if (row is null)
        {
            return problem!;
        }

        return TypedResults.Ok(await ViewAsync(services.Db, row, cancellationToken));
    }

    public static async Task<Results<Ok<ExecutionView>, ProblemHttpResult>> CancelExecution(
        Guid executionId, [AsParameters] ExecutionServices services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        var (row, problem) = await services.ExecutionAsync(executionId, Permission.ExecutionsRun, cancellationToken);
        if (row is null)
        {
            return problem!;
        }

        var running = services.Active.Find(row.Id.ToString("n"));
        var outcome = await services.Runner.CancelAsync(row.Id, cancellationToken);
        switch (outcome.Kind)
        {
            case ExecutionOutcomeKind.Conflict:
                return Problems.Conflict("execution-ended", "The execution has ended", outcome.Detail);
            case ExecutionOutcomeKind.NotFound:
                return Problems.NotFound("execution");
        }

        // A run that started between the look-up above and the cancel was stopped by it: wait for that one too.
        var stopping = (running ?? services.Active.Find(row.Id.ToString("n")))?.Ended.Task ?? outcome.Completion;
        if (stopping is not null)
        {
            try
            {
                await stopping.WaitAsync(CancelGrace, services.Clock, cancellationToken);
            }
            catch (TimeoutException)
            {
                // Still stopping: the answer shows the state recorded so far.
            }
        }

        await services.Recorder.FlushAsync(cancellationToken);
        var db = services.Db;
        var now = await db.Executions.AsNoTracking().FirstOrDefaultAsync(e => e.Id == row.Id, cancellationToken);
        if (now is null)
        {
            // The workflow's save policy does not keep cancelled runs: the row is gone, the answer says how it ended.
            row.Status = ExecutionStatus.Cancelled;
            return TypedResults.Ok(ExecutionView.Of(row, []));
        }

        return TypedResults.Ok(await ViewAsync(db, now, cancellationToken));
    }

    public static async Task<Results<Ok<ExecutionView>, Accepted<RunAccepted>, ProblemHttpResult>> ResumeExecution(
        Guid executionId, ResumeRequestBody body, int? timeoutMs, [AsParameters] ExecutionServices services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(services);
        var (row, problem) = await services.ExecutionAsync(executionId, Permission.ExecutionsRun, cancellationToken);
        if (row is null)
        {
            return problem!;
        }

        var problems = new List<(string, string)>();
        CheckTimeout(timeoutMs, problems);
        if (string.IsNullOrWhiteSpace(body.Node))
        {
            problems.Add(("node", "is required: the id of the waiting node"));
        }

        if (problems.Count > 0)
        {
            return Problems.Validation(problems);
        }

        // Not tied to the request: a caller that stops waiting does not stop the resumed run.
        var runner = services.Runner;
        var resumed = Task.Run(() => runner.ResumeAsync(row.Id, body.Node!, body.Payload, CancellationToken.None), CancellationToken.None);
        var outcome = await WithinAsync(resumed, timeoutMs, services.Clock, cancellationToken);
        await services.Recorder.FlushAsync(cancellationToken);
        if (outcome is null)
        {
            return Accepted(row.Id);
        }

        return outcome.Kind switch
        {
            ExecutionOutcomeKind.Conflict => Problems.Conflict("not-waiting", "The execution is not waiting", outcome.Detail),
            ExecutionOutcomeKind.NotFound => Problems.Of(StatusCodes.Status404NotFound, "not-found", "Wait not found", outcome.Detail),
            _ => TypedResults.Ok(ExecutionView.Of(row.Id, row.WorkflowId, row.ProjectId, row.Version, outcome.Result!)),
        };
    }

    public static async Task<Results<Ok<ResumedExecution>, Accepted<ResumedExecution>, ProblemHttpResult>> ResumeByToken(
        string token, ResumeByTokenBody? body, AppDbContext db, ExecutionRunner runner, ExecutionRecorder recorder, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(recorder);
        var hash = Hashes.Sha256(token);
        var execution = await db.NodeRuns.Where(n => n.ResumeTokenHash == hash).Select(n => (Guid?)n.ExecutionId).FirstOrDefaultAsync(cancellationToken);
        if (execution is not { } id)
        {
            return Problems.NotFound("resume token");
        }

        // Not tied to the request: a caller that stops waiting does not stop the resumed run.
        var resumed = Task.Run(() => runner.ResumeByTokenAsync(token, body?.Payload, CancellationToken.None), CancellationToken.None);
        var outcome = await WithinAsync(resumed, null, clock, cancellationToken);
        await recorder.FlushAsync(cancellationToken);
        return outcome?.Kind switch
        {
            null => TypedResults.Accepted((string?)null, new ResumedExecution(id, ExecutionStatus.Running)),
            ExecutionOutcomeKind.Conflict => Problems.Conflict("token-used", "The resume token was used already", outcome.Detail),
            ExecutionOutcomeKind.NotFound => Problems.NotFound("resume token"),
            _ => TypedResults.Ok(new ResumedExecution(outcome.ExecutionId, outcome.Result!.Status)),
        };
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteExecution(
        Guid executionId, [AsParameters] ExecutionServices services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        var (row, problem) = await services.ExecutionAsync(executionId, Permission.WorkflowsWrite, cancellationToken);
        if (row is null)
        {
            return problem!;
        }

        var db = services.Db;
        var deleted = services.Active.IsRunning(row.Id)
            ? 0
            : await db.Executions.Where(e => e.Id == row.Id && e.Status != ExecutionStatus.Running && e.Status != ExecutionStatus.Queued)
                .ExecuteDeleteAsync(cancellationToken);
        if (deleted == 0)
        {
            return Problems.Conflict("execution-running", "The execution is queued or running", "cancel it first (POST .../cancel), then delete it");
        }

        await db.NodeRuns.Where(n => n.ExecutionId == row.Id).ExecuteDeleteAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>The document a run uses and its version: the given version, the one published on a non-dev stage, else the draft.</summary>
    private static async Task<(string? Text, int? Version, ProblemHttpResult? Problem)> DocumentToRunAsync(
        AppDbContext db, Workflow workflow, string stage, int? version, CancellationToken cancellationToken)
    {
        if (version is null && stage != "dev")
        {
            version = await (
                    from p in db.Publications
                    join s in db.Stages on p.StageId equals s.Id
                    where p.WorkflowId == workflow.Id && s.Name == stage
                    select (int?)p.Version)
                .FirstOrDefaultAsync(cancellationToken);
            if (version is null)
            {
                return (null, null, Problems.Conflict("not-published", "The workflow is not published on this stage",
                    $"publish a version to '{stage}' first (POST /api/v1/workflows/{workflow.Id}/publish), or run a `version`"));
            }
        }

        if (version is not { } number)
        {
            return (workflow.Draft, null, null);
        }

        var text = await db.WorkflowVersions.Where(v => v.WorkflowId == workflow.Id && v.Number == number).Select(v => v.Document)
            .FirstOrDefaultAsync(cancellationToken);
        return text is null
            ? (null, null, Problems.Validation([("version", $"the workflow has no version {number.ToString(CultureInfo.InvariantCulture)}")]))
            : (text, number, null);
    }

    /// <summary>
    /// Outputs of the nodes upstream of <c>fromNode</c>: an earlier execution's (the last successful run of each node
    /// outside loops, values as stored), then the request's pinned data, else the document's, over them.
    /// </summary>
    private static async Task<(IReadOnlyDictionary<string, JsonNode?>? Known, ProblemHttpResult? Problem)> KnownOutputsAsync(
        AppDbContext db, Workflow workflow, WorkflowDocument document, RunRequestBody body, CancellationToken cancellationToken)
    {
        var known = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        if (body.FromExecution is { } earlier)
        {
            if (!await db.Executions.AnyAsync(e => e.Id == earlier && e.WorkflowId == workflow.Id, cancellationToken))
            {
                return (null, Problems.Validation([("fromExecution", "is not an execution of this workflow")]));
            }

            var outputs = await db.NodeRuns.AsNoTracking()
                .Where(n => n.ExecutionId == earlier && n.Scope == null && n.Status == NodeRunStatus.Succeeded && !n.OutputTruncated)
                .OrderBy(n => n.Sequence)
                .Select(n => new { n.NodeId, n.Output })
                .ToListAsync(cancellationToken);
            foreach (var output in outputs)
            {
                known[output.NodeId] = ExecutionJson.Parse(output.Output);
            }
        }

        var pinned = body.Pinned ?? (body.FromExecution is null ? document.Pinned : null);
        foreach (var (node, value) in pinned ?? [])
        {
            known[node] = value?.DeepClone();
        }

        return (known, null);
    }

    /// <summary>Executions the caller may list: of every organisation a user belongs to; of an API key's own organisation.</summary>
    private static async Task<(IQueryable<ExecutionRow>? Query, ProblemHttpResult? Problem)> VisibleAsync(
        ExecutionServices services, IQueryable<ExecutionRow> query, CancellationToken cancellationToken)
    {
        var actor = services.Access.Current;
        if (actor is { ApiKeyOrganizationId: { } organization })
        {
            var denied = await services.Access.DenyAsync(organization, Permission.WorkflowsRead, "organisation", cancellationToken);
            return denied is null ? (query.Where(e => e.OrganizationId == organization), null) : (null, denied);
        }

        var user = actor?.UserId ?? Guid.Empty;
        var organizations = services.Db.Memberships.Where(m => m.UserId == user).Select(m => m.OrganizationId);
        return (query.Where(e => organizations.Contains(e.OrganizationId)), null);
    }

    /// <summary>The stored execution with its node runs in order (what <c>GET /api/v1/executions/{id}</c> answers).</summary>
    public static async Task<ExecutionView> ViewAsync(AppDbContext db, ExecutionRow row, CancellationToken cancellationToken)
    {
        var nodes = await db.NodeRuns.AsNoTracking().Where(n => n.ExecutionId == row.Id).OrderBy(n => n.Sequence).ToListAsync(cancellationToken);
        return ExecutionView.Of(row, nodes);
    }

    private static ProblemHttpResult? Refusal(ExecutionOutcome outcome) => outcome.Kind switch
    {
        ExecutionOutcomeKind.Invalid => Problems.Validation(outcome.Problems.Select(p => (p.Path, p.Message)), "The workflow is not valid"),
        ExecutionOutcomeKind.NotFound => Problems.Of(StatusCodes.Status404NotFound, "not-found", "Not found", outcome.Detail),
        ExecutionOutcomeKind.Conflict => Problems.Conflict("conflict", "The execution is not in a state for this", outcome.Detail),
        _ => null,
    };

    private static Accepted<RunAccepted> Accepted(Guid id, string status = ExecutionStatus.Running)
    {
        var url = $"/api/v1/executions/{id}";
        return TypedResults.Accepted(url, new RunAccepted(id, status, url));
    }

    /// <summary>503 with <c>Retry-After</c> (whole seconds): the queue holds as many runs as it may.</summary>
    public static ProblemHttpResult QueueFull(HttpContext http, TimeSpan retryAfter)
    {
        ArgumentNullException.ThrowIfNull(http);
        var seconds = (int)Math.Ceiling(retryAfter.TotalSeconds);
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return Problems.Of(StatusCodes.Status503ServiceUnavailable, "queue-full", "The run queue is full",
            $"the queue holds as many runs as it may; try again in {seconds.ToString(CultureInfo.InvariantCulture)} s");
    }

    private static void CheckTimeout(int? timeoutMs, List<(string, string)> problems)
    {
        if (timeoutMs is < 1 or > MaxTimeoutMs)
        {
            problems.Add(("timeoutMs", $"must be 1..{MaxTimeoutMs.ToString(CultureInfo.InvariantCulture)}"));
        }
    }

    /// <summary>The outcome once <paramref name="run"/> ends or waits, or null when it takes longer than the timeout.</summary>
    private static async Task<ExecutionOutcome?> WithinAsync(Task<ExecutionOutcome> run, int? timeoutMs, TimeProvider clock, CancellationToken cancellationToken)
    {
        try
        {
            return await run.WaitAsync(TimeSpan.FromMilliseconds(timeoutMs ?? DefaultTimeoutMs), clock, cancellationToken);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    private static DateTimeOffset? ReadTime(string? text, string path, List<(string, string)> problems)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return time.ToUniversalTime();
        }

        problems.Add((path, "must be an ISO 8601 date and time"));
        return null;
    }
}

/// <summary>What the execution endpoints share: loading an execution only together with its access check.</summary>
public sealed record ExecutionServices(
    AppDbContext Db, IAccess Access, ExecutionRunner Runner, Plexus.Server.Features.Queue.RunQueue Queue, ExecutionRecorder Recorder,
    ActiveExecutions Active, TimeProvider Clock,
    Plexus.Server.Features.Router.IRouteInvalidation Routes, ILogger<ExecutionServices> Logger)
{
    public ProjectServices Projects => new(Db, Access, Clock, Routes);

    public async Task<(ExecutionRow? Row, ProblemHttpResult? Problem)> ExecutionAsync(Guid id, Permission permission, CancellationToken cancellationToken)
    {
        var row = await Db.Executions.AsNoTracking().FirstOrDefaultAsync(e => e.Id == id, cancellationToken).ConfigureAwait(false);
        if (row is null)
        {
            return (null, Problems.NotFound("execution"));
        }

        var denied = await Access.DenyAsync(row.OrganizationId, permission, "execution", cancellationToken).ConfigureAwait(false);
        return denied is null ? (row, null) : (null, denied);
    }
}

/// <summary>The list's keyset cursor: the last item's start time (UTC ticks) and id.</summary>
internal static class ExecutionCursor
{
    public static string Key(ExecutionRow row) =>
        row.StartedAt.UtcTicks.ToString(CultureInfo.InvariantCulture) + ":" + row.Id.ToString("n");

    public static (DateTimeOffset StartedAt, Guid Id)? Read(string key)
    {
        var colon = key.IndexOf(':', StringComparison.Ordinal);
        return colon > 0
            && long.TryParse(key.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            && ticks <= DateTimeOffset.MaxValue.UtcTicks
            && Guid.TryParseExact(key.AsSpan(colon + 1), "n", out var id)
            ? (new DateTimeOffset(ticks, TimeSpan.Zero), id)
            : null;
    }
}
