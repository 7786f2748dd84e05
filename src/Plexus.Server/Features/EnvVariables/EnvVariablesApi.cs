using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Plexus.Persistence.Model;
using Plexus.Server.Features.Projects;
using Plexus.Server.Features.Secrets;
using Plexus.Server.Infrastructure;
using Plexus.Server.Infrastructure.Access;

namespace Plexus.Server.Features.EnvVariables;

/// <summary>Environment variables of a project's stage (<c>env.NAME</c>, <c>&lt;env:NAME&gt;</c> in runs): plain, readable settings.</summary>
public static class EnvVariablesApi
{
    public static IEndpointRouteBuilder MapEnvVariablesApi(this IEndpointRouteBuilder app)
    {
        var env = app.MapGroup("/api/v1/projects/{projectId:guid}/stages/{stage}/env").WithTags("Environment variables").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status403Forbidden);
        env.MapGet("/", ListEnvVariables).WithName("ListEnvVariables").WithSummary("List a stage's environment variables")
            .WithDescription("Names with their values.");
        env.MapPut("/{name}", SetEnvVariable).WithName("SetEnvVariable").WithSummary("Set an environment variable")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status409Conflict)
            .WithDescription("Creates (201) or replaces (200) the variable. Names: a letter or `_`, then up to 63 letters, digits and `_`. Needs the admin permission.");
        env.MapDelete("/{name}", DeleteEnvVariable).WithName("DeleteEnvVariable").WithSummary("Delete an environment variable")
            .WithDescription("Needs the admin permission.");
        return app;
    }

    public static async Task<Results<Ok<Page<EnvVariableView>>, ProblemHttpResult>> ListEnvVariables(
        Guid projectId, string stage, [AsParameters] ProjectServices services, CancellationToken cancellationToken)
    {
        var (row, problem) = await services.StageAsync(projectId, stage, Permission.WorkflowsRead, cancellationToken);
        if (row is null)
        {
            return problem!;
        }

        var items = await services.Db.EnvVariables.AsNoTracking().Where(v => v.StageId == row.Id).OrderBy(v => v.Name)
            .Select(v => new EnvVariableView(v.Name, v.Value, v.CreatedAt, v.UpdatedAt))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new Page<EnvVariableView>(items, null));
    }

    public static async Task<Results<Created<EnvVariableView>, Ok<EnvVariableView>, ProblemHttpResult>> SetEnvVariable(
        Guid projectId, string stage, string name, EnvVariableValue request, [AsParameters] ProjectServices services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (row, problem) = await services.StageAsync(projectId, stage, Permission.Admin, cancellationToken);
        if (row is null)
        {
            return problem!;
        }

        if (SecretsApi.CheckNameAndValue(name, request.Value) is { } invalid)
        {
            return invalid;
        }

        var db = services.Db;
        var now = services.Clock.GetUtcNow();
        var variable = await db.EnvVariables.FirstOrDefaultAsync(v => v.StageId == row.Id && v.Name == name, cancellationToken);
        var created = variable is null;
        if (variable is null)
        {
            variable = new EnvVariable { Id = Guid.CreateVersion7(now), OrganizationId = row.OrganizationId, StageId = row.Id, Name = name, Value = request.Value!, CreatedAt = now };
            db.EnvVariables.Add(variable);
        }

        variable.Value = request.Value!;
        variable.UpdatedAt = now;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // The unique (stage, name) index caught a concurrent first write of the same name.
            return Problems.Conflict("env-conflict", "The variable was written at the same time", "try again");
        }

        // Routes hold the stage's values; the next request reads them again.
        services.Routes.Invalidate(projectId);

        var view = new EnvVariableView(variable.Name, variable.Value, variable.CreatedAt, variable.UpdatedAt);
        return created ? TypedResults.Created($"/api/v1/projects/{projectId}/stages/{row.Name}/env/{name}", view) : TypedResults.Ok(view);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteEnvVariable(
        Guid projectId, string stage, string name, [AsParameters] ProjectServices services, CancellationToken cancellationToken)
    {
        var (row, problem) = await services.StageAsync(projectId, stage, Permission.Admin, cancellationToken);
        if (row is null)
        {
            return problem!;
        }

        var deleted = await services.Db.EnvVariables.Where(v => v.StageId == row.Id && v.Name == name).ExecuteDeleteAsync(cancellationToken);
        services.Routes.Invalidate(projectId);
        return deleted == 0 ? Problems.NotFound($"environment variable '{name}'") : TypedResults.NoContent();
    }
}

public sealed record EnvVariableValue(string? Value);

public sealed record EnvVariableView(string Name, string Value, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
