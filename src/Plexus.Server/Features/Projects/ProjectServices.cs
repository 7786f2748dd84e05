using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Plexus.Persistence;
using Plexus.Persistence.Model;
using Plexus.Server.Infrastructure;
using Plexus.Server.Infrastructure.Access;

namespace Plexus.Server.Features.Projects;

/// <summary>
/// What the project, stage, workflow, publishing and secret endpoints share: the database, the access check and the
/// clock, and loading a row only together with its access check (a row is never used unchecked).
/// </summary>
public sealed record ProjectServices(AppDbContext Db, IAccess Access, TimeProvider Clock, Plexus.Server.Features.Router.IRouteInvalidation Routes)
{
    public Guid? CallerId => Access.Current?.UserId;

    public async Task<(Project? Project, ProblemHttpResult? Problem)> ProjectAsync(Guid projectId, Permission permission, CancellationToken cancellationToken)
    {
        var project = await Db.Projects.FirstOrDefaultAsync(p => p.Id == projectId, cancellationToken).ConfigureAwait(false);
        if (project is null)
        {
            return (null, Problems.NotFound("project"));
        }

        var denied = await Access.DenyAsync(project.OrganizationId, permission, "project", cancellationToken).ConfigureAwait(false);
        return denied is null ? (project, null) : (null, denied);
    }

    /// <summary>A project's stage by name. The project is checked first, so an unknown stage is only told to those allowed in.</summary>
    public async Task<(Stage? Stage, ProblemHttpResult? Problem)> StageAsync(Guid projectId, string stage, Permission permission, CancellationToken cancellationToken)
    {
        var (project, problem) = await ProjectAsync(projectId, permission, cancellationToken).ConfigureAwait(false);
        if (project is null)
        {
            return (null, problem);
        }

        var row = await Db.Stages.FirstOrDefaultAsync(s => s.ProjectId == project.Id && s.Name == stage, cancellationToken).ConfigureAwait(false);
        return row is null ? (null, Problems.NotFound($"stage '{stage}'")) : (row, null);
    }

    public async Task<(Workflow? Workflow, ProblemHttpResult? Problem)> WorkflowAsync(Guid workflowId, Permission permission, CancellationToken cancellationToken)
    {
        var workflow = await Db.Workflows.FirstOrDefaultAsync(w => w.Id == workflowId, cancellationToken).ConfigureAwait(false);
        if (workflow is null)
        {
            return (null, Problems.NotFound("workflow"));
        }

        var denied = await Access.DenyAsync(workflow.OrganizationId, permission, "workflow", cancellationToken).ConfigureAwait(false);
        return denied is null ? (workflow, null) : (null, denied);
    }
}
