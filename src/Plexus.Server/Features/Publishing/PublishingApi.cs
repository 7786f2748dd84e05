using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Plexus.Engine.Routing;
using Plexus.Persistence;
using Plexus.Persistence.Model;
using Plexus.Server.Features.Audit;
using Plexus.Server.Features.Projects;
using Plexus.Server.Features.Router;
using Plexus.Server.Features.Stages;
using Plexus.Server.Infrastructure;
using Plexus.Server.Infrastructure.Access;

namespace Plexus.Server.Features.Publishing;

/// <summary>
/// Which version runs on which stage: publishing points a (workflow, stage) at a version, rollback points it back at
/// an older one, unpublishing takes it off. Routes and schedules follow at once.
/// </summary>
public static class PublishingApi
{
    public const string PublishAction = "workflow.publish";
    public const string UnpublishAction = "workflow.unpublish";

    public static IEndpointRouteBuilder MapPublishingApi(this IEndpointRouteBuilder app)
    {
        var workflows = app.MapGroup("/api/v1/workflows/{workflowId:guid}").WithTags("Publishing").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status403Forbidden);
        workflows.MapPost("/publish", Publish).WithName("PublishVersion").WithSummary("Publish a version to a stage")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status409Conflict)
            .WithDescription("Points the stage at the version, replacing what was published there (rollback = publish an older version). Unknown stage → 404; unknown version → 422.");
        workflows.MapPost("/unpublish", Unpublish).WithName("UnpublishStage").WithSummary("Take a workflow off a stage")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .WithDescription("Removes the workflow's publication on the stage; nothing published there is not an error.");

        var projects = app.MapGroup("/api/v1/projects/{projectId:guid}").WithTags("Publishing").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status403Forbidden);
        projects.MapGet("/publications", ListPublications).WithName("ListPublications").WithSummary("The workflow × stage matrix")
            .WithDescription("Every workflow of the project with the version published on each stage (null: none), and the project's stages in order.");
        return app;
    }

    public static async Task<Results<Ok<PublicationView>, ProblemHttpResult>> Publish(
        Guid workflowId, PublishRequest request, AuditLog audit, Schedules.Schedules schedules, [AsParameters] ProjectServices services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(audit);
        var (workflow, problem) = await services.WorkflowAsync(workflowId, Permission.WorkflowsWrite, cancellationToken);
        if (workflow is null)
        {
            return problem!;
        }

        var problems = new List<(string, string)>();
        if (string.IsNullOrEmpty(request.Stage))
        {
            problems.Add(("stage", "is required"));
        }

        if (request.Version is not > 0)
        {
            problems.Add(("version", "must be a version number (1 or more)"));
        }

        if (problems.Count > 0)
        {
            return Problems.Validation(problems);
        }

        var db = services.Db;
        var stage = await db.Stages.FirstOrDefaultAsync(s => s.ProjectId == workflow.ProjectId && s.Name == request.Stage, cancellationToken);
        if (stage is null)
        {
            return Problems.NotFound($"stage '{request.Stage}'");
        }

        var version = request.Version!.Value;
        if (!await db.WorkflowVersions.AnyAsync(v => v.WorkflowId == workflow.Id && v.Number == version, cancellationToken))
        {
            return Problems.Validation([("version", $"the workflow has no version {version.ToString(CultureInfo.InvariantCulture)}")]);
        }

        if (await RouteConflictAsync(db, workflow, stage, version, cancellationToken) is { } conflict)
        {
            return conflict;
        }

        var now = services.Clock.GetUtcNow();
        var publication = await db.Publications.FirstOrDefaultAsync(p => p.WorkflowId == workflow.Id && p.StageId == stage.Id, cancellationToken);
        var previous = publication?.Version;
        if (publication is null)
        {
            publication = new Publication { Id = Guid.CreateVersion7(now), OrganizationId = workflow.OrganizationId, WorkflowId = workflow.Id, StageId = stage.Id };
            db.Publications.Add(publication);
        }

        publication.Version = version;
        publication.PublishedBy = services.CallerId;
        publication.PublishedAt = now;
        await audit.WriteAsync(db, workflow.OrganizationId, PublishAction, workflow.Id.ToString(),
            $"{workflow.Name}: {stage.Name} → v{version.ToString(CultureInfo.InvariantCulture)}" + (previous is { } was ? $" (was v{was.ToString(CultureInfo.InvariantCulture)})" : ""));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // The unique (workflow, stage) index caught a concurrent first publish to the same stage.
            return Problems.Conflict("publish-conflict", "Another publish to this stage happened at the same time", "try again");
        }

        services.Routes.Invalidate(workflow.ProjectId);
        await schedules.SyncProjectAsync(workflow.ProjectId, cancellationToken);
        return TypedResults.Ok(new PublicationView(workflow.Id, stage.Name, version, previous, now, publication.PublishedBy));
    }

    /// <summary>
    /// A 409 <c>route-conflict</c> when a route of the version would answer the same requests as a route of another
    /// workflow published on the stage (dev serves drafts: not checked there), naming both; else null.
    /// </summary>
    private static async Task<ProblemHttpResult?> RouteConflictAsync(AppDbContext db, Workflow workflow, Stage stage, int version, CancellationToken cancellationToken)
    {
        if (stage.Name == StagesApi.Dev)
        {
            return null;
        }

        var document = await db.WorkflowVersions.AsNoTracking().Where(v => v.WorkflowId == workflow.Id && v.Number == version)
            .Select(v => v.Document).FirstAsync(cancellationToken);
        var mine = RouteTables.Routes(workflow, version, document).ToList();
        if (mine.Count == 0)
        {
            return null;
        }

        var others = await (
            from p in db.Publications.AsNoTracking()
            join w in db.Workflows.AsNoTracking() on p.WorkflowId equals w.Id
            join v in db.WorkflowVersions.AsNoTracking() on new { p.WorkflowId, Number = p.Version } equals new { v.WorkflowId, v.Number }
            where p.StageId == stage.Id && p.WorkflowId != workflow.Id
            select new { Workflow = w, p.Version, v.Document }).ToListAsync(cancellationToken);
        var entries = others.SelectMany(o => RouteTables.Routes(o.Workflow, o.Version, o.Document)).Concat(mine);
        RouteTable.Build(entries, out var conflicts);
        var clash = conflicts.FirstOrDefault(c => c.Second.Target.Workflow.Id == workflow.Id && c.First.Target.Workflow.Id != workflow.Id);
        if (clash is null)
        {
            return null;
        }

        var (ours, theirs) = (clash.Second, clash.First);
        return Problems.Conflict("route-conflict", "A route collides with another workflow's on this stage",
            $"{ours.Method} {ours.Target.Settings.Path} of workflow '{workflow.Name}' (v{version.ToString(CultureInfo.InvariantCulture)}) " +
            $"answers the same requests as {theirs.Method} {theirs.Target.Settings.Path} of workflow '{theirs.Target.Workflow.Name}' " +
            $"(v{theirs.Target.Version?.ToString(CultureInfo.InvariantCulture)}) on stage '{stage.Name}'");
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Unpublish(
        Guid workflowId, UnpublishRequest request, AuditLog audit, Schedules.Schedules schedules, [AsParameters] ProjectServices services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(audit);
        var (workflow, problem) = await services.WorkflowAsync(workflowId, Permission.WorkflowsWrite, cancellationToken);
        if (workflow is null)
        {
            return problem!;
        }

        if (string.IsNullOrEmpty(request.Stage))
        {
            return Problems.Validation([("stage", "is required")]);
        }

        var db = services.Db;
        var stage = await db.Stages.FirstOrDefaultAsync(s => s.ProjectId == workflow.ProjectId && s.Name == request.Stage, cancellationToken);
        if (stage is null)
        {
            return Problems.NotFound($"stage '{request.Stage}'");
        }

        var publication = await db.Publications.FirstOrDefaultAsync(p => p.WorkflowId == workflow.Id && p.StageId == stage.Id, cancellationToken);
        if (publication is not null)
        {
            db.Publications.Remove(publication);
            await audit.WriteAsync(db, workflow.OrganizationId, UnpublishAction, workflow.Id.ToString(),
                $"{workflow.Name}: {stage.Name} (was v{publication.Version.ToString(CultureInfo.InvariantCulture)})");
            await db.SaveChangesAsync(cancellationToken);
            services.Routes.Invalidate(workflow.ProjectId);
            await schedules.SyncProjectAsync(workflow.ProjectId, cancellationToken);
        }

        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<PublicationMatrix>, ProblemHttpResult>> ListPublications(
        Guid projectId, [AsParameters] ProjectServices services, CancellationToken cancellationToken)
    {
        var (project, problem) = await services.ProjectAsync(projectId, Permission.WorkflowsRead, cancellationToken);
        if (project is null)
        {
            return problem!;
        }

        var db = services.Db;
        var stages = StagesApi.Ordered(await db.Stages.AsNoTracking().Where(s => s.ProjectId == project.Id).ToListAsync(cancellationToken)).ToList();
        var workflows = await db.Workflows.AsNoTracking().Where(w => w.ProjectId == project.Id).OrderBy(w => w.Name)
            .Select(w => new { w.Id, w.Name, w.Kind })
            .ToListAsync(cancellationToken);
        var publications = await db.Publications.AsNoTracking()
            .Where(p => db.Workflows.Any(w => w.Id == p.WorkflowId && w.ProjectId == project.Id))
            .Select(p => new { p.WorkflowId, p.StageId, p.Version })
            .ToListAsync(cancellationToken);
        var published = publications.ToDictionary(p => (p.WorkflowId, p.StageId), p => p.Version);

        var rows = workflows.Select(w => new WorkflowPublications(w.Id, w.Name, w.Kind, stages.ToDictionary(
            s => s.Name,
            s => published.TryGetValue((w.Id, s.Id), out var version) ? version : (int?)null,
            StringComparer.Ordinal)));
        return TypedResults.Ok(new PublicationMatrix([.. rows], [.. stages.Select(s => s.Name)]));
    }
}

public sealed record PublishRequest(string? Stage, int? Version);

public sealed record UnpublishRequest(string? Stage);

/// <summary>What a stage now runs; <c>previousVersion</c> is what it ran before (null: nothing), for an easy rollback.</summary>
public sealed record PublicationView(Guid WorkflowId, string Stage, int Version, int? PreviousVersion, DateTimeOffset PublishedAt, Guid? PublishedBy);

/// <summary>Per workflow, the version published on each stage (null: none); <c>stages</c> in the project's order.</summary>
public sealed record PublicationMatrix(IReadOnlyList<WorkflowPublications> Workflows, IReadOnlyList<string> Stages);

public sealed record WorkflowPublications(Guid Id, string Name, string Kind, IReadOnlyDictionary<string, int?> Stages);
