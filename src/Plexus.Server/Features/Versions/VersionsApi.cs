using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Plexus.Engine.Execution;
using Plexus.Engine.Workflows;
using Plexus.Persistence.Model;
using Plexus.Server.Features.Projects;
using Plexus.Server.Features.Workflows;
using Plexus.Server.Infrastructure;
using Plexus.Server.Infrastructure.Access;

namespace Plexus.Server.Features.Versions;

/// <summary>A workflow's versions: immutable, numbered snapshots of its draft, the only thing a stage can run.</summary>
public static class VersionsApi
{
    private const int MaxFreezeAttempts = 5;

    public static IEndpointRouteBuilder MapVersionsApi(this IEndpointRouteBuilder app)
    {
        var versions = app.MapGroup("/api/v1/workflows/{workflowId:guid}/versions").WithTags("Versions").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status403Forbidden);
        versions.MapPost("/", CreateVersion).WithName("CreateVersion").WithSummary("Freeze the draft into a new version")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithDescription("Snapshots the current draft as the next version number. A draft saved invalid (`allowInvalid`) is refused with 409 `invalid-draft` and its problems in `errors`.");
        versions.MapGet("/", ListVersions).WithName("ListVersions").WithSummary("List a workflow's versions")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .WithDescription("Newest first, each with the stages it is published to; `limit` (default 50, at most 500) and `cursor` (the previous page's `next`).");
        versions.MapGet("/{version:int}", GetVersion).WithName("GetVersion").WithSummary("Get a version's document")
            .WithDescription("The workflow document frozen in this version.")
            .Produces<WorkflowDocument>(StatusCodes.Status200OK, "application/json");
        return app;
    }

    public static async Task<Results<Created<VersionView>, ProblemHttpResult>> CreateVersion(
        Guid workflowId, WorkflowCompiler compiler, [AsParameters] ProjectServices services, CancellationToken cancellationToken)
    {
        var (workflow, problem) = await services.WorkflowAsync(workflowId, Permission.WorkflowsWrite, cancellationToken);
        if (workflow is null)
        {
            return problem!;
        }

        // Checked again rather than trusting DraftValid alone: node types may have changed since the draft was saved.
        var check = DraftCheck.Of(workflow.Draft, compiler);
        if (!check.Valid)
        {
            return Problems.Of(StatusCodes.Status409Conflict, "invalid-draft", "The draft is not valid",
                "fix the draft's problems before freezing it into a version", check.Errors().GroupBy(e => e.Path, StringComparer.Ordinal)
                    .ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray(), StringComparer.Ordinal));
        }

        var db = services.Db;
        var now = services.Clock.GetUtcNow();
        var version = new WorkflowVersion
        {
            Id = Guid.CreateVersion7(now),
            OrganizationId = workflow.OrganizationId,
            WorkflowId = workflow.Id,
            Document = workflow.Draft,
            CreatedBy = services.CallerId,
            CreatedAt = now,
        };
        db.WorkflowVersions.Add(version);
        for (var attempt = 1; ; attempt++)
        {
            version.Number = 1 + (await db.WorkflowVersions.Where(v => v.WorkflowId == workflow.Id).MaxAsync(v => (int?)v.Number, cancellationToken) ?? 0);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                break;
            }
            catch (DbUpdateException) when (attempt < MaxFreezeAttempts)
            {
                // The unique (workflow, number) index caught a concurrent freeze taking the same number: take the next.
            }
            catch (DbUpdateException)
            {
                return Problems.Conflict("version-conflict", "Other versions were created at the same time", "try again");
            }
        }

        return TypedResults.Created(
            $"/api/v1/workflows/{workflow.Id}/versions/{version.Number.ToString(CultureInfo.InvariantCulture)}",
            VersionView.Of(version, []));
    }

    public static async Task<Results<Ok<Page<VersionView>>, ProblemHttpResult>> ListVersions(
        Guid workflowId, int? limit, string? cursor, [AsParameters] ProjectServices services, CancellationToken cancellationToken)
    {
        var (workflow, problem) = await services.WorkflowAsync(workflowId, Permission.WorkflowsRead, cancellationToken);
        if (workflow is null)
        {
            return problem!;
        }

        if (!Paging.TryRead(limit, cursor, out var take, out var after, out problem))
        {
            return problem!;
        }

        var query = services.Db.WorkflowVersions.AsNoTracking().Where(v => v.WorkflowId == workflow.Id);
        if (after is not null)
        {
            if (!int.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out var before))
            {
                return Problems.Validation([("cursor", "is not a cursor from a previous page")]);
            }

            query = query.Where(v => v.Number < before);
        }

        var rows = await query.OrderByDescending(v => v.Number).Take(take + 1).ToListAsync(cancellationToken);
        var published = await (
                from p in services.Db.Publications.AsNoTracking()
                join s in services.Db.Stages.AsNoTracking() on p.StageId equals s.Id
                where p.WorkflowId == workflow.Id
                select new { p.Version, s.Name })
            .ToListAsync(cancellationToken);
        var stagesOf = published.GroupBy(p => p.Version).ToDictionary(g => g.Key, g => (IReadOnlyList<string>)[.. g.Select(p => p.Name).Order(StringComparer.Ordinal)]);
        return TypedResults.Ok(Paging.Cut(rows, take,
            v => VersionView.Of(v, stagesOf.GetValueOrDefault(v.Number, [])),
            v => v.Number.ToString(CultureInfo.InvariantCulture)));
    }

    public static async Task<Results<ContentHttpResult, ProblemHttpResult>> GetVersion(
        Guid workflowId, int version, [AsParameters] ProjectServices services, CancellationToken cancellationToken)
    {
        var (workflow, problem) = await services.WorkflowAsync(workflowId, Permission.WorkflowsRead, cancellationToken);
        if (workflow is null)
        {
            return problem!;
        }

        var document = await services.Db.WorkflowVersions
            .Where(v => v.WorkflowId == workflow.Id && v.Number == version)
            .Select(v => v.Document)
            .FirstOrDefaultAsync(cancellationToken);
        return document is null
            ? Problems.NotFound($"version {version.ToString(CultureInfo.InvariantCulture)}")
            : TypedResults.Text(document, "application/json");
    }
}

/// <summary>A version's number (<c>version</c>), who made it and when, and the stages it is published to.</summary>
public sealed record VersionView(Guid WorkflowId, int Version, DateTimeOffset CreatedAt, Guid? CreatedBy, IReadOnlyList<string> PublishedTo)
{
    public static VersionView Of(WorkflowVersion version, IReadOnlyList<string> publishedTo)
    {
        ArgumentNullException.ThrowIfNull(version);
        return new(version.WorkflowId, version.Number, version.CreatedAt, version.CreatedBy, publishedTo);
    }
}
