using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Plexus.Engine.Execution;
using Plexus.Engine.Workflows;
using Plexus.Persistence.Model;
using Plexus.Server.Features.Projects;
using Plexus.Server.Infrastructure;
using Plexus.Server.Infrastructure.Access;

namespace Plexus.Server.Features.Workflows;

/// <summary>A project's workflows: create (from a document or a starter), list, read, rename, set the save policy, delete.</summary>
public static class WorkflowsApi
{
    public static readonly IReadOnlySet<string> Kinds = new HashSet<string>(["flow", "blueprint"], StringComparer.Ordinal);
    public static readonly IReadOnlySet<string> SavePolicies = new HashSet<string>(["all", "errors", "none"], StringComparer.Ordinal);

    public static IEndpointRouteBuilder MapWorkflowsApi(this IEndpointRouteBuilder app)
    {
        var projects = app.MapGroup("/api/v1/projects/{projectId:guid}/workflows").WithTags("Workflows").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status403Forbidden);
        projects.MapPost("/", CreateWorkflow).WithName("CreateWorkflow").WithSummary("Create a workflow")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status409Conflict)
            .WithDescription("Creates a workflow from `document` (validated: invalid → 422 with `errors` keyed by `document.<path>`), or without one from a starter with a `trigger.manual` node. `kind` is `flow` (default) or `blueprint`.");
        projects.MapGet("/", ListWorkflows).WithName("ListWorkflows").WithSummary("List a project's workflows")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .WithDescription("Ordered by name; `limit` (default 50, at most 500) and `cursor` (the previous page's `next`).");

        var workflows = app.MapGroup("/api/v1/workflows/{workflowId:guid}").WithTags("Workflows").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status403Forbidden);
        workflows.MapGet("/", GetWorkflow).WithName("GetWorkflow").WithSummary("Get a workflow")
            .WithDescription("The workflow's settings and the state of its draft (revision, valid); the document itself is at `/draft`.");
        workflows.MapPatch("/", UpdateWorkflow).WithName("UpdateWorkflow").WithSummary("Rename a workflow or set its save policy")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status409Conflict)
            .WithDescription("Changes `name` (unique in the project) and `savePolicy` (`all`, `errors` or `none`: what executions record); a field left out stays as it is.");
        workflows.MapDelete("/", DeleteWorkflow).WithName("DeleteWorkflow").WithSummary("Delete a workflow")
            .WithDescription("Deletes the workflow with its versions, publications and executions.");
        return app;
    }

    public static async Task<Results<Created<WorkflowView>, ProblemHttpResult>> CreateWorkflow(
        Guid projectId, NewWorkflow request, WorkflowCompiler compiler, [AsParameters] ProjectServices services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (project, problem) = await services.ProjectAsync(projectId, Permission.WorkflowsWrite, cancellationToken);
        if (project is null)
        {
            return problem!;
        }

        var problems = new List<(string, string)>();
        CheckName(request.Name, problems);
        if (request.Kind is not null && !Kinds.Contains(request.Kind))
        {
            problems.Add(("kind", "must be \"flow\" or \"blueprint\""));
        }

        if (problems.Count > 0)
        {
            return Problems.Validation(problems);
        }

        var name = request.Name!.Trim();
        var check = request.Document is { ValueKind: not JsonValueKind.Null } body ? DraftCheck.Of(body, compiler) : DraftCheck.Of(Starter(name), compiler);
        if (!check.Valid)
        {
            return Problems.Validation(check.Errors("document"), "The workflow document is not valid");
        }

        // The request's kind wins over the document's; "flow" is the format's default and stays implicit.
        var kind = request.Kind ?? check.Document!.Kind ?? "flow";
        var document = check.Document! with
        {
            Name = check.Document.Name.Length == 0 ? name : check.Document.Name,
            Kind = kind == "flow" && check.Document.Kind is null ? null : kind,
        };
        var db = services.Db;
        if (await NameTakenAsync(services, project.Id, name, null, cancellationToken))
        {
            return NameConflict(name);
        }

        var now = services.Clock.GetUtcNow();
        var workflow = new Workflow
        {
            Id = Guid.CreateVersion7(now),
            OrganizationId = project.OrganizationId,
            ProjectId = project.Id,
            Name = name,
            Kind = kind,
            Draft = WorkflowFile.Write(document),
            DraftRevision = 1,
            DraftValid = true,
            SavePolicy = "all",
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Workflows.Add(workflow);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // The unique index caught a concurrent request taking the same name.
            return NameConflict(name);
        }

        services.Routes.Invalidate(workflow.ProjectId);
        return TypedResults.Created($"/api/v1/workflows/{workflow.Id}", WorkflowView.Of(workflow));
    }

    public static async Task<Results<Ok<Page<WorkflowView>>, ProblemHttpResult>> ListWorkflows(
        Guid projectId, int? limit, string? cursor, [AsParameters] ProjectServices services, CancellationToken cancellationToken)
    {
        var (project, problem) = await services.ProjectAsync(projectId, Permission.WorkflowsRead, cancellationToken);
        if (project is null)
        {
            return problem!;
        }

        if (!Paging.TryRead(limit, cursor, out var take, out var after, out problem))
        {
            return problem!;
        }

        var query = services.Db.Workflows.AsNoTracking().Where(w => w.ProjectId == project.Id);
        if (after is not null)
        {
            query = query.Where(w => string.Compare(w.Name, after) > 0);
        }

        var rows = await query.OrderBy(w => w.Name).Take(take + 1).ToListAsync(cancellationToken);
        return TypedResults.Ok(Paging.Cut(rows, take, WorkflowView.Of, w => w.Name));
    }

    public static async Task<Results<Ok<WorkflowView>, ProblemHttpResult>> GetWorkflow(
        Guid workflowId, [AsParameters] ProjectServices services, CancellationToken cancellationToken)
    {
        var (workflow, problem) = await services.WorkflowAsync(workflowId, Permission.WorkflowsRead, cancellationToken);
        return workflow is null ? problem! : TypedResults.Ok(WorkflowView.Of(workflow));
    }

    public static async Task<Results<Ok<WorkflowView>, ProblemHttpResult>> UpdateWorkflow(
        Guid workflowId, WorkflowChanges request, [AsParameters] ProjectServices services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (workflow, problem) = await services.WorkflowAsync(workflowId, Permission.WorkflowsWrite, cancellationToken);
        if (workflow is null)
        {
            return problem!;
        }

        var problems = new List<(string, string)>();
        if (request.Name is not null)
        {
            CheckName(request.Name, problems);
        }

        if (request.SavePolicy is not null && !SavePolicies.Contains(request.SavePolicy))
        {
            problems.Add(("savePolicy", "must be \"all\", \"errors\" or \"none\""));
        }

        foreach (var (stage, policy) in request.StageSavePolicies ?? new Dictionary<string, string?>())
        {
            if (policy is not null && !SavePolicies.Contains(policy))
            {
                problems.Add(($"stageSavePolicies.{stage}", "must be \"all\", \"errors\", \"none\" or null (use the workflow's policy)"));
            }
        }

        if (problems.Count > 0)
        {
            return Problems.Validation(problems);
        }

        var name = request.Name?.Trim() ?? workflow.Name;
        if (name != workflow.Name && await NameTakenAsync(services, workflow.ProjectId, name, workflow.Id, cancellationToken))
        {
            return NameConflict(name);
        }

        workflow.Name = name;
        workflow.SavePolicy = request.SavePolicy ?? workflow.SavePolicy;
        workflow.StageSavePolicies = MergeStagePolicies(workflow.StageSavePolicies, request.StageSavePolicies);
        workflow.UpdatedAt = services.Clock.GetUtcNow();
        try
        {
            await services.Db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            return NameConflict(name);
        }

        services.Routes.Invalidate(workflow.ProjectId);
        return TypedResults.Ok(WorkflowView.Of(workflow));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteWorkflow(
        Guid workflowId, Schedules.Schedules schedules, [AsParameters] ProjectServices services, CancellationToken cancellationToken)
    {
        var (workflow, problem) = await services.WorkflowAsync(workflowId, Permission.WorkflowsWrite, cancellationToken);
        if (workflow is null)
        {
            return problem!;
        }

        var db = services.Db;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var executions = db.Executions.Where(e => e.WorkflowId == workflow.Id).Select(e => e.Id);
        await db.NodeRuns.Where(n => executions.Contains(n.ExecutionId)).ExecuteDeleteAsync(cancellationToken);
        await db.Executions.Where(e => e.WorkflowId == workflow.Id).ExecuteDeleteAsync(cancellationToken);
        await db.QueuedRuns.Where(q => q.WorkflowId == workflow.Id).ExecuteDeleteAsync(cancellationToken);
        await db.Projects.Where(p => p.ErrorWorkflowId == workflow.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.ErrorWorkflowId, (Guid?)null), cancellationToken);
        await db.Publications.Where(p => p.WorkflowId == workflow.Id).ExecuteDeleteAsync(cancellationToken);
        await db.WorkflowVersions.Where(v => v.WorkflowId == workflow.Id).ExecuteDeleteAsync(cancellationToken);
        await db.Workflows.Where(w => w.Id == workflow.Id).ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        services.Routes.Invalidate(workflow.ProjectId);
        await schedules.SyncProjectAsync(workflow.ProjectId, cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>What a new workflow starts with when no document is given: a manual trigger, ready to run.</summary>
    public static WorkflowDocument Starter(string name) => new()
    {
        Name = name,
        Nodes = [new NodeDefinition { Id = "start", Type = "trigger.manual", Position = new NodePosition(0, 0) }],
    };

    private static void CheckName(string? name, List<(string, string)> problems)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Trim().Length > 200)
        {
            problems.Add(("name", "must be 1..200 characters"));
        }
    }

    private static Task<bool> NameTakenAsync(ProjectServices services, Guid projectId, string name, Guid? except, CancellationToken cancellationToken) =>
        services.Db.Workflows.AnyAsync(w => w.ProjectId == projectId && w.Name == name && w.Id != except, cancellationToken);

    /// <summary>Applies per-stage overrides: a policy sets one, null removes it. Stored as a JSON object, or null when empty.</summary>
    private static string? MergeStagePolicies(string? current, IReadOnlyDictionary<string, string?>? changes)
    {
        if (changes is null)
        {
            return current;
        }

        var map = StagePolicies(current);
        foreach (var (stage, policy) in changes)
        {
            if (policy is null)
            {
                map.Remove(stage);
            }
            else
            {
                map[stage] = policy;
            }
        }

        return map.Count == 0 ? null : JsonSerializer.Serialize(map);
    }

    internal static Dictionary<string, string> StagePolicies(string? stored) =>
        string.IsNullOrEmpty(stored) ? new(StringComparer.Ordinal)
            : new(JsonSerializer.Deserialize<Dictionary<string, string>>(stored) ?? [], StringComparer.Ordinal);

    private static ProblemHttpResult NameConflict(string name) =>
        Problems.Conflict("workflow-name-taken", "The name is taken", $"the project already has a workflow named '{name}'");
}

/// <summary>A new workflow; without <c>document</c> it starts with a manual trigger.</summary>
public sealed record NewWorkflow(string? Name, string? Kind, JsonElement? Document);

/// <summary>
/// Only the fields given change. <c>stageSavePolicies</c> overrides the save policy per stage
/// (<c>{"prod": "errors"}</c>); a stage set to null goes back to the workflow's policy.
/// </summary>
public sealed record WorkflowChanges(string? Name, string? SavePolicy, IReadOnlyDictionary<string, string?>? StageSavePolicies = null);

public sealed record WorkflowView(
    Guid Id, Guid ProjectId, string Name, string Kind, string SavePolicy, IReadOnlyDictionary<string, string> StageSavePolicies, int DraftRevision,
    bool DraftValid, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static WorkflowView Of(Workflow workflow)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        return new(workflow.Id, workflow.ProjectId, workflow.Name, workflow.Kind, workflow.SavePolicy, WorkflowsApi.StagePolicies(workflow.StageSavePolicies),
            workflow.DraftRevision, workflow.DraftValid, workflow.CreatedAt, workflow.UpdatedAt);
    }
}
