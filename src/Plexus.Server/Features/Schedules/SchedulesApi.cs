using Microsoft.AspNetCore.Http.HttpResults;
using Plexus.Server.Features.Audit;
using Plexus.Server.Features.Projects;
using Plexus.Server.Infrastructure;
using Plexus.Server.Infrastructure.Access;

namespace Plexus.Server.Features.Schedules;

/// <summary>
/// The schedules of a project: one per <c>schedule.cron</c> node of each published version (drafts never schedule), with
/// their next fire times; pause, resume and run now.
/// </summary>
public static class SchedulesApi
{
    public const string PauseAction = "schedule.pause";
    public const string ResumeAction = "schedule.resume";
    public const int DefaultNextCount = 5;

    public static IEndpointRouteBuilder MapSchedulesApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/projects/{projectId:guid}/schedules", ListSchedules).WithTags("Schedules").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .WithName("ListSchedules").WithSummary("List a project's schedules")
            .WithDescription("Every schedule.cron trigger of the versions published on the project's stages (or on `stage`), " +
                "with whether it is paused and its next `next` fire times (default 5, at most 100; none while paused).");

        var schedule = app.MapGroup("/api/v1/workflows/{workflowId:guid}/schedules/{stage}/{nodeId}").WithTags("Schedules").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status403Forbidden);
        schedule.MapPost("/pause", Pause).WithName("PauseSchedule").WithSummary("Pause a schedule")
            .WithDescription("No tick fires until it is resumed; the pause outlasts publishing other versions.");
        schedule.MapPost("/resume", Resume).WithName("ResumeSchedule").WithSummary("Resume a paused schedule")
            .WithDescription("Ticks missed while paused follow the trigger's `misfire` setting: skipped, or run once at once.");
        schedule.MapPost("/run", RunNow).WithName("RunScheduleNow").WithSummary("Fire a schedule now")
            .WithDescription("Starts a run of the published version as a tick would (input `{ scheduledAt, firedAt }`, both now), " +
                "even while paused, on whichever replica takes it. Answers 202 with the execution id.");
        return app;
    }

    public static async Task<Results<Ok<Page<ScheduleView>>, ProblemHttpResult>> ListSchedules(
        Guid projectId, string? stage, int? next, Schedules schedules, [AsParameters] ProjectServices services, CancellationToken cancellationToken)
    {
        var count = next ?? DefaultNextCount;
        if (count is < 0 or > 100)
        {
            return Problems.Validation([("next", "must be 0..100")]);
        }

        var problem = stage is null
            ? (await services.ProjectAsync(projectId, Permission.WorkflowsRead, cancellationToken)).Problem
            : (await services.StageAsync(projectId, stage, Permission.WorkflowsRead, cancellationToken)).Problem;
        if (problem is not null)
        {
            return problem;
        }

        ArgumentNullException.ThrowIfNull(schedules);
        var states = await schedules.ListAsync(projectId, stage, count, cancellationToken);
        return TypedResults.Ok(new Page<ScheduleView>([.. states.Select(ScheduleView.Of)], null));
    }

    public static Task<Results<Ok<ScheduleView>, ProblemHttpResult>> Pause(
        Guid workflowId, string stage, string nodeId, AuditLog audit, Schedules schedules, [AsParameters] ProjectServices services,
        CancellationToken cancellationToken) =>
        SetPausedAsync(workflowId, stage, nodeId, paused: true, audit, schedules, services, cancellationToken);

    public static Task<Results<Ok<ScheduleView>, ProblemHttpResult>> Resume(
        Guid workflowId, string stage, string nodeId, AuditLog audit, Schedules schedules, [AsParameters] ProjectServices services,
        CancellationToken cancellationToken) =>
        SetPausedAsync(workflowId, stage, nodeId, paused: false, audit, schedules, services, cancellationToken);

    public static async Task<Results<Accepted<RunNowView>, ProblemHttpResult>> RunNow(
        Guid workflowId, string stage, string nodeId, Schedules schedules, [AsParameters] ProjectServices services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schedules);
        var (workflow, problem) = await services.WorkflowAsync(workflowId, Permission.ExecutionsRun, cancellationToken);
        if (workflow is null)
        {
            return problem!;
        }

        var executionId = await schedules.RunNowAsync(workflow.ProjectId, workflow.Id, stage, nodeId, services.Clock.GetUtcNow(), cancellationToken);
        if (executionId is not { } id)
        {
            return NotFound(stage, nodeId);
        }

        var statusUrl = $"/api/v1/executions/{id}";
        return TypedResults.Accepted(statusUrl, new RunNowView(id, statusUrl));
    }

    private static async Task<Results<Ok<ScheduleView>, ProblemHttpResult>> SetPausedAsync(
        Guid workflowId, string stage, string nodeId, bool paused, AuditLog audit, Schedules schedules, ProjectServices services,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(audit);
        ArgumentNullException.ThrowIfNull(schedules);
        var (workflow, problem) = await services.WorkflowAsync(workflowId, Permission.WorkflowsWrite, cancellationToken);
        if (workflow is null)
        {
            return problem!;
        }

        if (!await schedules.SetPausedAsync(workflow.ProjectId, workflow.Id, stage, nodeId, paused, cancellationToken))
        {
            return NotFound(stage, nodeId);
        }

        await audit.WriteAsync(services.Db, workflow.OrganizationId, paused ? PauseAction : ResumeAction, workflow.Id.ToString(), $"{workflow.Name}: {stage}/{nodeId}");
        await services.Db.SaveChangesAsync(cancellationToken);
        var state = (await schedules.ListAsync(workflow.ProjectId, stage, DefaultNextCount, cancellationToken))
            .FirstOrDefault(s => s.Spec.WorkflowId == workflow.Id && s.Spec.NodeId == nodeId);
        return state is null ? NotFound(stage, nodeId) : TypedResults.Ok(ScheduleView.Of(state));
    }

    private static ProblemHttpResult NotFound(string stage, string nodeId) => Problems.NotFound($"schedule '{nodeId}' on stage '{stage}'");
}

/// <summary>
/// A published <c>schedule.cron</c> trigger. <c>nextFireTimes</c> are UTC (the cron is read in <c>timeZone</c>); empty while
/// <c>paused</c>. Pause, resume and run it at <c>/api/v1/workflows/{workflowId}/schedules/{stage}/{node}/...</c>.
/// </summary>
public sealed record ScheduleView(Guid WorkflowId, string Workflow, string Stage, int Version, string Node, string Cron, string TimeZone,
    string Overlap, string Misfire, bool Paused, DateTimeOffset? NextFireAt, IReadOnlyList<DateTimeOffset> NextFireTimes)
{
    public static ScheduleView Of(ScheduleState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var spec = state.Spec;
        var settings = spec.Settings;
        return new ScheduleView(spec.WorkflowId, spec.Workflow, spec.Stage, spec.Version, spec.NodeId, settings.Cron, settings.TimeZone,
            settings.Overlap, settings.Misfire, state.Paused, state.NextFireTimes.Count > 0 ? state.NextFireTimes[0] : null, state.NextFireTimes);
    }
}

/// <summary>The run a run-now started (or is about to: another replica may take the firing); follow it at <c>statusUrl</c>.</summary>
public sealed record RunNowView(Guid ExecutionId, string StatusUrl);
