using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Plexus.Engine.Execution;
using Plexus.Engine.Workflows;
using Plexus.Server.Features.Projects;
using Plexus.Server.Infrastructure;
using Plexus.Server.Infrastructure.Access;

namespace Plexus.Server.Features.Workflows;

/// <summary>
/// A workflow's draft: the one mutable copy of its document, guarded by an ETag (its revision) so that two editors
/// cannot overwrite each other unnoticed.
/// </summary>
public static class DraftApi
{
    public static IEndpointRouteBuilder MapDraftApi(this IEndpointRouteBuilder app)
    {
        var draft = app.MapGroup("/api/v1/workflows/{workflowId:guid}/draft").WithTags("Workflows").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status403Forbidden);
        draft.MapGet("/", GetDraft).WithName("GetDraft").WithSummary("Get the draft document")
            .WithDescription("The workflow document being edited, with its revision in `ETag`.")
            .Produces<WorkflowDocument>(StatusCodes.Status200OK, "application/json");
        draft.MapPut("/", SaveDraft).WithName("SaveDraft").WithSummary("Save the draft document")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status428PreconditionRequired)
            .WithDescription("Replaces the draft. `If-Match` must carry the ETag last read (missing → 428 `if-match-required`, changed since → 412 `stale-draft`). The document is validated: invalid → 422 with `errors` keyed by path (`nodes[2].settings.status`); with `?allowInvalid=true` it is saved anyway, answered with its problems, and cannot be frozen into a version until fixed.")
            .Accepts<WorkflowDocument>("application/json");
        return app;
    }

    public static async Task<Results<ContentHttpResult, ProblemHttpResult>> GetDraft(
        Guid workflowId, HttpResponse response, [AsParameters] ProjectServices services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        var (workflow, problem) = await services.WorkflowAsync(workflowId, Permission.WorkflowsRead, cancellationToken);
        if (workflow is null)
        {
            return problem!;
        }

        response.Headers.ETag = ETag(workflow.DraftRevision);
        return TypedResults.Text(workflow.Draft, "application/json");
    }

    public static async Task<Results<Ok<SavedDraft>, ProblemHttpResult>> SaveDraft(
        Guid workflowId,
        JsonElement document,
        [FromHeader(Name = "If-Match")] string? ifMatch,
        bool? allowInvalid,
        WorkflowCompiler compiler,
        HttpResponse response,
        [AsParameters] ProjectServices services,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        var (workflow, problem) = await services.WorkflowAsync(workflowId, Permission.WorkflowsWrite, cancellationToken);
        if (workflow is null)
        {
            return problem!;
        }

        if (string.IsNullOrWhiteSpace(ifMatch))
        {
            return Problems.Of(StatusCodes.Status428PreconditionRequired, "if-match-required", "If-Match is required",
                "send the ETag of the draft you edited (from GET .../draft) in If-Match, so that no one else's changes are overwritten");
        }

        var revision = ParseRevision(ifMatch);
        if (revision != workflow.DraftRevision)
        {
            return Stale(workflow.DraftRevision);
        }

        var check = DraftCheck.Of(document, compiler);
        if (!check.Valid && (allowInvalid != true || !check.Storable))
        {
            return Problems.Validation(check.Errors(), "The workflow document is not valid");
        }

        var kind = check.Document is { } parsed ? parsed.Kind ?? "flow" : workflow.Kind;
        var now = services.Clock.GetUtcNow();
        var next = workflow.DraftRevision + 1;

        // Conditional on the revision read: of two saves racing from the same ETag only one wins.
        var saved = await services.Db.Workflows
            .Where(w => w.Id == workflow.Id && w.DraftRevision == workflow.DraftRevision)
            .ExecuteUpdateAsync(s => s
                .SetProperty(w => w.Draft, check.Text)
                .SetProperty(w => w.DraftRevision, next)
                .SetProperty(w => w.DraftValid, check.Valid)
                .SetProperty(w => w.Kind, kind)
                .SetProperty(w => w.UpdatedAt, now), cancellationToken);
        if (saved == 0)
        {
            var current = await services.Db.Workflows.Where(w => w.Id == workflow.Id).Select(w => (int?)w.DraftRevision).FirstOrDefaultAsync(cancellationToken);
            return current is { } at ? Stale(at) : Problems.NotFound("workflow");
        }

        services.Routes.Invalidate(workflow.ProjectId);

        response.Headers.ETag = ETag(next);
        return TypedResults.Ok(new SavedDraft(next, check.Valid, [.. check.Problems.Select(p => new DocumentProblem(p.Path, p.Message))]));
    }

    public static string ETag(int revision) => "\"" + revision.ToString(CultureInfo.InvariantCulture) + "\"";

    /// <summary>The revision in an If-Match value (<c>"3"</c>, also weak <c>W/"3"</c>); -1 when it names none.</summary>
    private static int ParseRevision(string ifMatch)
    {
        var tag = ifMatch.Trim();
        if (tag.StartsWith("W/", StringComparison.Ordinal))
        {
            tag = tag[2..];
        }

        return int.TryParse(tag.Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var revision) ? revision : -1;
    }

    private static ProblemHttpResult Stale(int current) =>
        Problems.Of(StatusCodes.Status412PreconditionFailed, "stale-draft", "The draft has changed",
            $"the draft is at revision {current.ToString(CultureInfo.InvariantCulture)} now; read it again, merge your changes and save with its ETag");
}

/// <summary>The saved draft's new revision (also in <c>ETag</c>), whether it is valid, and its problems when saved with <c>allowInvalid</c>.</summary>
public sealed record SavedDraft(int Revision, bool Valid, IReadOnlyList<DocumentProblem> Problems);
