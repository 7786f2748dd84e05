using Microsoft.EntityFrameworkCore;
using Plexus.Engine.Workflows;
using Plexus.Nodes.Triggers;
using Plexus.Persistence;
using Plexus.Server.Features.Executions;
using Plexus.Server.Features.Queue;
using Quartz;
using ExecutionOutcome = Plexus.Server.Features.Executions.ExecutionOutcome;

namespace Plexus.Server.Features.Schedules;

/// <summary>Starts a scheduled run. The one seam between the scheduler and how runs are carried out.</summary>
public interface IScheduledRuns
{
    /// <summary>Starts the run; the outcome's <c>Completion</c> ends when the run ends or waits.</summary>
    Task<ExecutionOutcome> StartAsync(RunStart start, CancellationToken cancellationToken);
}

/// <summary>
/// Through the durable queue, claimed by this replica and run here: a replica that dies mid-run leaves the run to
/// another once its lease expires.
/// </summary>
internal sealed class QueuedScheduledRuns(RunQueue queue) : IScheduledRuns
{
    public Task<ExecutionOutcome> StartAsync(RunStart start, CancellationToken cancellationToken) => queue.StartHereAsync(start, cancellationToken);
}

/// <summary>
/// One firing of a schedule: runs the version published now on the stage, from the schedule's trigger node, with
/// <c>{ scheduledAt, firedAt }</c>. The firing lasts as long as the run, so that Quartz's overlap policy (skip, queue,
/// allow) sees a run that goes on, on any replica.
/// </summary>
public sealed partial class ScheduledRunJob(
    IServiceScopeFactory scopes,
    IScheduledRuns runs,
    Schedules schedules,
    ILogger<ScheduledRunJob> logger) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var data = context.MergedJobDataMap;
        if (!Guid.TryParse(data.GetString(Schedules.ProjectKey), out var projectId)
            || !Guid.TryParse(data.GetString(Schedules.WorkflowKey), out var workflowId)
            || data.GetString(Schedules.StageKey) is not { } stage
            || data.GetString(Schedules.NodeKey) is not { } nodeId)
        {
            Log.Malformed(logger, context.JobDetail.Key);
            return;
        }

        var start = await LoadAsync(projectId, workflowId, stage, nodeId, data.GetString(Schedules.FingerprintKey), cancellationToken).ConfigureAwait(false);
        if (start is null)
        {
            // Published elsewhere or taken off since this job was made (a replica that missed the change): set it right.
            Log.Stale(logger, context.JobDetail.Key);
            await schedules.SyncProjectAsync(projectId, cancellationToken).ConfigureAwait(false);
            return;
        }

        var scheduledAt = context.ScheduledFireTimeUtc ?? context.FireTimeUtc;
        start = start with
        {
            Input = ScheduleCronSettings.Input(scheduledAt, context.FireTimeUtc),
            ExecutionId = Guid.TryParse(data.GetString(Schedules.ExecutionIdKey), out var executionId) ? executionId : null,
        };
        var outcome = await runs.StartAsync(start, cancellationToken).ConfigureAwait(false);
        if (outcome.Completion is not { } completion)
        {
            Log.NotStarted(logger, context.JobDetail.Key, outcome.Kind, outcome.Problems.Count > 0 ? outcome.Problems[0].Message : outcome.Detail);
            return;
        }

        // On shutdown the wait ends here; the run itself is cancelled (and recorded) by the executions' shutdown.
        await completion.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What to run, or null when the stage no longer publishes this trigger with these settings.</summary>
    private async Task<RunStart?> LoadAsync(Guid projectId, Guid workflowId, string stage, string nodeId, string? fingerprint, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var row = await (
            from p in db.Publications.AsNoTracking()
            join w in db.Workflows.AsNoTracking() on p.WorkflowId equals w.Id
            join s in db.Stages.AsNoTracking() on p.StageId equals s.Id
            join v in db.WorkflowVersions.AsNoTracking() on new { p.WorkflowId, Number = p.Version } equals new { v.WorkflowId, v.Number }
            where p.WorkflowId == workflowId && w.ProjectId == projectId && s.Name == stage
            select new { Workflow = w, p.Version, v.Document }).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (row is null || WorkflowFile.Parse(row.Document).Document is not { } document)
        {
            return null;
        }

        var spec = Schedules.Of(row.Workflow, stage, row.Version, document).FirstOrDefault(s => s.NodeId == nodeId);
        if (spec is null || spec.Settings.Fingerprint != fingerprint)
        {
            return null;
        }

        return new RunStart { Workflow = row.Workflow, Document = document, Version = row.Version, Stage = stage, TriggerNodeId = nodeId };
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Schedule job {Job} lacks its data; ignored")]
        public static partial void Malformed(ILogger logger, JobKey job);

        [LoggerMessage(Level = LogLevel.Information, Message = "Schedule job {Job} no longer matches what is published; schedules of its project synced")]
        public static partial void Stale(ILogger logger, JobKey job);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Schedule {Job} did not start a run ({Outcome}): {Reason}")]
        public static partial void NotStarted(ILogger logger, JobKey job, ExecutionOutcomeKind outcome, string? reason);
    }
}
