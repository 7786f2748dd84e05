using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Plexus.Persistence.Model;
using Plexus.Server.Infrastructure;
using Plexus.Server.Infrastructure.Access;

namespace Plexus.Server.Features.Projects;

/// <summary>Projects of an organisation: create (with stages <c>dev</c> and <c>prod</c>), list, read, change, delete.</summary>
public static partial class ProjectsApi
{
    public static IEndpointRouteBuilder MapProjectsApi(this IEndpointRouteBuilder app)
    {
        var orgs = app.MapGroup("/api/v1/orgs/{orgId:guid}/projects").WithTags("Projects").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status403Forbidden);
        orgs.MapPost("/", CreateProject).WithName("CreateProject").WithSummary("Create a project")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status409Conflict)
            .WithDescription("Creates a project with the stages `dev` and `prod`. The slug is globally unique (routes are addressed by it): 3 to 63 lowercase letters, digits and dashes, not starting or ending with a dash.");
        orgs.MapGet("/", ListProjects).WithName("ListProjects").WithSummary("List an organisation's projects")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .WithDescription("Ordered by slug; `limit` (default 50, at most 500) and `cursor` (the previous page's `next`).");

        var projects = app.MapGroup("/api/v1/projects/{projectId:guid}").WithTags("Projects").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status403Forbidden);
        projects.MapGet("/", GetProject).WithName("GetProject").WithSummary("Get a project")
            .WithDescription("A project with its retention settings.");
        projects.MapPatch("/", UpdateProject).WithName("UpdateProject").WithSummary("Change a project")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .WithDescription("Changes `name`, `retentionDays`, `retentionMaxCount` and `errorWorkflowId`; a field left out stays as it is, `0` removes a retention limit, `\"\"` removes the error workflow. The error workflow (a workflow of this project) runs, on the failed run's stage, with `{ execution: { id, workflowId, workflow, version, stage, error, startedAt, endedAt, attempt, retryOf } }` for every failed execution of a published version.");
        projects.MapDelete("/", DeleteProject).WithName("DeleteProject").WithSummary("Delete a project")
            .WithDescription("Deletes the project and everything in it: stages, workflows, versions, publications, secrets, environment variables and executions. Needs the admin permission.");
        return app;
    }

    public static async Task<Results<Created<ProjectView>, ProblemHttpResult>> CreateProject(
        Guid orgId, NewProject request, [AsParameters] ProjectServices services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (await services.Access.DenyAsync(orgId, Permission.WorkflowsWrite, "organization", cancellationToken) is { } denied)
        {
            return denied;
        }

        var problems = new List<(string, string)>();
        CheckName(request.Name, problems);
        if (request.Slug is null || !SlugPattern().IsMatch(request.Slug))
        {
            problems.Add(("slug", "must be 3..63 lowercase letters, digits and '-', starting and ending with a letter or digit"));
        }

        if (problems.Count > 0)
        {
            return Problems.Validation(problems);
        }

        var db = services.Db;
        if (await db.Projects.AnyAsync(p => p.Slug == request.Slug, cancellationToken))
        {
            return SlugTaken(request.Slug!);
        }

        var now = services.Clock.GetUtcNow();
        var project = new Project { Id = Guid.CreateVersion7(now), OrganizationId = orgId, Name = request.Name!.Trim(), Slug = request.Slug!, CreatedAt = now };
        db.Projects.Add(project);
        foreach (var stage in Stages.StagesApi.DefaultStages)
        {
            db.Stages.Add(new Stage { Id = Guid.CreateVersion7(now), OrganizationId = orgId, ProjectId = project.Id, Name = stage, CreatedAt = now });
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // The unique index caught another request taking the slug between the check and the insert.
            return SlugTaken(request.Slug!);
        }

        return TypedResults.Created($"/api/v1/projects/{project.Id}", ProjectView.Of(project));
    }

    public static async Task<Results<Ok<Page<ProjectView>>, ProblemHttpResult>> ListProjects(
        Guid orgId, int? limit, string? cursor, [AsParameters] ProjectServices services, CancellationToken cancellationToken)
    {
        if (await services.Access.DenyAsync(orgId, Permission.WorkflowsRead, "organization", cancellationToken) is { } denied)
        {
            return denied;
        }

        if (!Paging.TryRead(limit, cursor, out var take, out var after, out var problem))
        {
            return problem!;
        }

        var query = services.Db.Projects.AsNoTracking().Where(p => p.OrganizationId == orgId);
        if (after is not null)
        {
            query = query.Where(p => string.Compare(p.Slug, after) > 0);
        }

        var rows = await query.OrderBy(p => p.Slug).Take(take + 1).ToListAsync(cancellationToken);
        return TypedResults.Ok(Paging.Cut(rows, take, ProjectView.Of, p => p.Slug));
    }

    public static async Task<Results<Ok<ProjectView>, ProblemHttpResult>> GetProject(
        Guid projectId, [AsParameters] ProjectServices services, CancellationToken cancellationToken)
    {
        var (project, problem) = await services.ProjectAsync(projectId, Permission.WorkflowsRead, cancellationToken);
        return project is null ? problem! : TypedResults.Ok(ProjectView.Of(project));
    }

    public static async Task<Results<Ok<ProjectView>, ProblemHttpResult>> UpdateProject(
        Guid projectId, ProjectChanges request, [AsParameters] ProjectServices services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (project, problem) = await services.ProjectAsync(projectId, Permission.WorkflowsWrite, cancellationToken);
        if (project is null)
        {
            return problem!;
        }

        var problems = new List<(string, string)>();
        if (request.Name is not null)
        {
            CheckName(request.Name, problems);
        }

        if (request.RetentionDays is < 0 or > 36500)
        {
            problems.Add(("retentionDays", "must be 0..36500 (0: keep forever)"));
        }

        if (request.RetentionMaxCount is < 0)
        {
            problems.Add(("retentionMaxCount", "must be 0 or more (0: no limit)"));
        }

        Guid? errorWorkflow = null;
        if (request.ErrorWorkflowId is { Length: > 0 } named)
        {
            if (!Guid.TryParse(named, out var id))
            {
                problems.Add(("errorWorkflowId", "must be a workflow id (or \"\" for none)"));
            }
            else if (!await services.Db.Workflows.AnyAsync(w => w.Id == id && w.ProjectId == project.Id, cancellationToken))
            {
                problems.Add(("errorWorkflowId", "must be a workflow of this project"));
            }
            else
            {
                errorWorkflow = id;
            }
        }

        if (problems.Count > 0)
        {
            return Problems.Validation(problems);
        }

        project.Name = request.Name?.Trim() ?? project.Name;
        if (request.RetentionDays is { } days)
        {
            project.RetentionDays = days == 0 ? null : days;
        }

        if (request.RetentionMaxCount is { } count)
        {
            project.RetentionMaxCount = count == 0 ? null : count;
        }

        if (request.ErrorWorkflowId is not null)
        {
            project.ErrorWorkflowId = errorWorkflow;
        }

        await services.Db.SaveChangesAsync(cancellationToken);
        services.Routes.Invalidate(project.Id);
        return TypedResults.Ok(ProjectView.Of(project));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteProject(
        Guid projectId, Schedules.Schedules schedules, [AsParameters] ProjectServices services, CancellationToken cancellationToken)
    {
        var (project, problem) = await services.ProjectAsync(projectId, Permission.Admin, cancellationToken);
        if (project is null)
        {
            return problem!;
        }

        var db = services.Db;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var stages = db.Stages.Where(s => s.ProjectId == project.Id).Select(s => s.Id);
        var workflows = db.Workflows.Where(w => w.ProjectId == project.Id).Select(w => w.Id);
        var executions = db.Executions.Where(e => e.ProjectId == project.Id).Select(e => e.Id);
        await db.NodeRuns.Where(n => executions.Contains(n.ExecutionId)).ExecuteDeleteAsync(cancellationToken);
        await db.Executions.Where(e => e.ProjectId == project.Id).ExecuteDeleteAsync(cancellationToken);
        await db.QueuedRuns.Where(q => q.ProjectId == project.Id).ExecuteDeleteAsync(cancellationToken);
        await db.Publications.Where(p => workflows.Contains(p.WorkflowId)).ExecuteDeleteAsync(cancellationToken);
        await db.WorkflowVersions.Where(v => workflows.Contains(v.WorkflowId)).ExecuteDeleteAsync(cancellationToken);
        await db.Secrets.Where(s => stages.Contains(s.StageId)).ExecuteDeleteAsync(cancellationToken);
        await db.EnvVariables.Where(v => stages.Contains(v.StageId)).ExecuteDeleteAsync(cancellationToken);
        await db.Workflows.Where(w => w.ProjectId == project.Id).ExecuteDeleteAsync(cancellationToken);
        await db.Stages.Where(s => s.ProjectId == project.Id).ExecuteDeleteAsync(cancellationToken);
        await db.Projects.Where(p => p.Id == project.Id).ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        services.Routes.Invalidate(project.Id);
        await schedules.SyncProjectAsync(project.Id, cancellationToken);
        return TypedResults.NoContent();
    }

    private static void CheckName(string? name, List<(string, string)> problems)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Trim().Length > 200)
        {
            problems.Add(("name", "must be 1..200 characters"));
        }
    }

    private static ProblemHttpResult SlugTaken(string slug) =>
        Problems.Conflict("slug-taken", "The slug is taken", $"a project with the slug '{slug}' exists; slugs are unique across the server");

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")]
    private static partial Regex SlugPattern();
}

public sealed record NewProject(string? Name, string? Slug);

/// <summary>Only the fields given change; <c>0</c> removes a retention limit, <c>""</c> the error workflow.</summary>
public sealed record ProjectChanges(string? Name, int? RetentionDays, int? RetentionMaxCount, string? ErrorWorkflowId = null);

public sealed record ProjectView(Guid Id, Guid OrganizationId, string Name, string Slug, DateTimeOffset CreatedAt, int? RetentionDays, int? RetentionMaxCount,
    Guid? ErrorWorkflowId)
{
    public static ProjectView Of(Project project)
    {
        ArgumentNullException.ThrowIfNull(project);
        return new(project.Id, project.OrganizationId, project.Name, project.Slug, project.CreatedAt, project.RetentionDays, project.RetentionMaxCount,
            project.ErrorWorkflowId);
    }
}
