using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Plexus.Persistence.Model;
using Plexus.Server.Features.Projects;
using Plexus.Server.Infrastructure;
using Plexus.Server.Infrastructure.Access;

namespace Plexus.Server.Features.Stages;

/// <summary>A project's stages: <c>dev</c> (always there, the editor's sandbox), <c>prod</c> (by default) and more.</summary>
public static partial class StagesApi
{
    public const string Dev = "dev";

    /// <summary>The stages every new project starts with.</summary>
    public static IReadOnlyList<string> DefaultStages { get; } = [Dev, "prod"];

    public static IEndpointRouteBuilder MapStagesApi(this IEndpointRouteBuilder app)
    {
        var stages = app.MapGroup("/api/v1/projects/{projectId:guid}/stages").WithTags("Stages").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status403Forbidden);
        stages.MapGet("/", ListStages).WithName("ListStages").WithSummary("List a project's stages")
            .WithDescription("Every stage of the project, oldest first.");
        stages.MapPost("/", CreateStage).WithName("CreateStage").WithSummary("Add a stage")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status409Conflict)
            .WithDescription("Adds a stage: a lowercase letter, then up to 30 lowercase letters, digits and dashes.");
        stages.MapDelete("/{stage}", DeleteStage).WithName("DeleteStage").WithSummary("Delete a stage")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithDescription("Deletes the stage with its publications, secrets and environment variables. `dev` cannot be deleted. Needs the admin permission.");
        return app;
    }

    public static async Task<Results<Ok<Page<StageView>>, ProblemHttpResult>> ListStages(
        Guid projectId, [AsParameters] ProjectServices services, CancellationToken cancellationToken)
    {
        var (project, problem) = await services.ProjectAsync(projectId, Permission.WorkflowsRead, cancellationToken);
        if (project is null)
        {
            return problem!;
        }

        var rows = await services.Db.Stages.AsNoTracking().Where(s => s.ProjectId == project.Id).ToListAsync(cancellationToken);
        return TypedResults.Ok(new Page<StageView>([.. Ordered(rows).Select(StageView.Of)], null));
    }

    public static async Task<Results<Created<StageView>, ProblemHttpResult>> CreateStage(
        Guid projectId, NewStage request, [AsParameters] ProjectServices services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (project, problem) = await services.ProjectAsync(projectId, Permission.WorkflowsWrite, cancellationToken);
        if (project is null)
        {
            return problem!;
        }

        if (request.Name is null || !NamePattern().IsMatch(request.Name))
        {
            return Problems.Validation([("name", "must be a lowercase letter, then up to 30 lowercase letters, digits and '-'")]);
        }

        var db = services.Db;
        if (await db.Stages.AnyAsync(s => s.ProjectId == project.Id && s.Name == request.Name, cancellationToken))
        {
            return StageExists(request.Name);
        }

        var now = services.Clock.GetUtcNow();
        var stage = new Stage { Id = Guid.CreateVersion7(now), OrganizationId = project.OrganizationId, ProjectId = project.Id, Name = request.Name, CreatedAt = now };
        db.Stages.Add(stage);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // The unique index caught a concurrent request adding the same name.
            return StageExists(request.Name);
        }

        return TypedResults.Created($"/api/v1/projects/{project.Id}/stages/{stage.Name}", StageView.Of(stage));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteStage(
        Guid projectId, string stage, Schedules.Schedules schedules, [AsParameters] ProjectServices services, CancellationToken cancellationToken)
    {
        var (row, problem) = await services.StageAsync(projectId, stage, Permission.Admin, cancellationToken);
        if (row is null)
        {
            return problem!;
        }

        if (row.Name == Dev)
        {
            return Problems.Conflict("stage-protected", "The dev stage cannot be deleted", "every project keeps its dev stage: the editor runs drafts there");
        }

        var db = services.Db;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Publications.Where(p => p.StageId == row.Id).ExecuteDeleteAsync(cancellationToken);
        await db.Secrets.Where(s => s.StageId == row.Id).ExecuteDeleteAsync(cancellationToken);
        await db.EnvVariables.Where(v => v.StageId == row.Id).ExecuteDeleteAsync(cancellationToken);
        await db.Stages.Where(s => s.Id == row.Id).ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        services.Routes.Invalidate(projectId);
        await schedules.SyncProjectAsync(projectId, cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>Oldest first; stages made together (dev and prod) by name.</summary>
    public static IEnumerable<Stage> Ordered(IEnumerable<Stage> stages) =>
        stages.OrderBy(s => s.CreatedAt).ThenBy(s => s.Name, StringComparer.Ordinal);

    private static ProblemHttpResult StageExists(string name) =>
        Problems.Conflict("stage-exists", "The stage exists", $"the project already has a stage '{name}'");

    [GeneratedRegex("^[a-z][a-z0-9-]{0,30}$")]
    private static partial Regex NamePattern();
}

public sealed record NewStage(string? Name);

public sealed record StageView(string Name, DateTimeOffset CreatedAt)
{
    public static StageView Of(Stage stage)
    {
        ArgumentNullException.ThrowIfNull(stage);
        return new(stage.Name, stage.CreatedAt);
    }
}
