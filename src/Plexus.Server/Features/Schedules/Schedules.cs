using Microsoft.EntityFrameworkCore;
using Plexus.Engine.Workflows;
using Plexus.Nodes.Triggers;
using Plexus.Persistence;
using Plexus.Persistence.Model;
using Quartz;

namespace Plexus.Server.Features.Schedules;

/// <summary>One <c>schedule.cron</c> trigger of a workflow version published on a stage: what should fire.</summary>
public sealed record ScheduleSpec(Guid OrganizationId, Guid ProjectId, Guid WorkflowId, string Workflow, string Stage, int Version, string NodeId,
    ScheduleCronSettings Settings)
{
    public JobKey JobKey => Schedules.JobKeyOf(ProjectId, WorkflowId, Stage, NodeId);
}

/// <summary>A schedule as the API shows it: its settings, and what the scheduler says of it.</summary>
public sealed record ScheduleState(ScheduleSpec Spec, bool Paused, IReadOnlyList<DateTimeOffset> NextFireTimes);

/// <summary>
/// Keeps the Quartz scheduler in step with what is published: per project, one job (and one cron trigger of the same key)
/// per <c>schedule.cron</c> node of each version published on a stage. Drafts never schedule, on <c>dev</c> neither: a
/// schedule runs what was published. On PostgreSQL the job store is shared by every replica, so the replica that
/// publishes updates it for all; on SQLite the in-memory store is rebuilt at start (<see cref="SyncAllAsync"/>).
/// </summary>
public sealed partial class Schedules(
    ISchedulerFactory schedulers,
    IServiceScopeFactory scopes,
    ILogger<Schedules> logger) : IDisposable
{
    public const string ProjectKey = "projectId";
    public const string WorkflowKey = "workflowId";
    public const string StageKey = "stage";
    public const string NodeKey = "nodeId";
    public const string FingerprintKey = "fingerprint";

    /// <summary>Set on a run-now firing: the execution id the API already answered with.</summary>
    public const string ExecutionIdKey = "executionId";

    /// <summary>Syncs of this process one at a time: two at once could each delete what the other just made.</summary>
    private readonly SemaphoreSlim _sync = new(1, 1);

    public void Dispose() => _sync.Dispose();

    public static JobKey JobKeyOf(Guid projectId, Guid workflowId, string stage, string nodeId) =>
        new($"{workflowId:n}/{stage}/{nodeId}", projectId.ToString("n"));

    /// <summary>Brings the project's jobs in line with its publications; call after every publish, rollback, unpublish or delete.</summary>
    public async Task SyncProjectAsync(Guid projectId, CancellationToken cancellationToken)
    {
        // What is published is read under the lock too: a sync that read earlier must not apply after one that read later.
        await _sync.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var wanted = await PublishedAsync(projectId, stage: null, cancellationToken).ConfigureAwait(false);
            await ApplyAsync(projectId.ToString("n"), wanted, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sync.Release();
        }
    }

    /// <summary>Every project with publications or jobs (at start: the store may have missed changes, or be empty).</summary>
    public async Task SyncAllAsync(CancellationToken cancellationToken)
    {
        List<Guid> projects;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            projects = await db.Publications.AsNoTracking()
                .Join(db.Workflows.AsNoTracking(), p => p.WorkflowId, w => w.Id, (p, w) => w.ProjectId)
                .Distinct().ToListAsync(cancellationToken).ConfigureAwait(false);
        }

        var scheduler = await schedulers.GetScheduler(cancellationToken).ConfigureAwait(false);
        var groups = await scheduler.GetJobGroupNames(cancellationToken).ConfigureAwait(false);
        foreach (var project in projects.Union(groups.Select(g => Guid.TryParse(g, out var id) ? id : Guid.Empty).Where(id => id != Guid.Empty)))
        {
            await SyncProjectAsync(project, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The project's schedules (of one stage, or all), with paused state and the next fire times.</summary>
    public async Task<IReadOnlyList<ScheduleState>> ListAsync(Guid projectId, string? stage, int nextCount, CancellationToken cancellationToken)
    {
        var wanted = await PublishedAsync(projectId, stage, cancellationToken).ConfigureAwait(false);
        var scheduler = await schedulers.GetScheduler(cancellationToken).ConfigureAwait(false);
        var states = new List<ScheduleState>();
        foreach (var spec in wanted)
        {
            var key = new TriggerKey(spec.JobKey.Name, spec.JobKey.Group);
            var trigger = await scheduler.GetTrigger(key, cancellationToken).ConfigureAwait(false);
            var paused = await IsPausedAsync(scheduler, key, cancellationToken).ConfigureAwait(false);
            states.Add(new ScheduleState(spec, paused, paused || trigger is null ? [] : NextFireTimes(trigger, nextCount)));
        }

        return states;
    }

    /// <summary>Pauses or resumes a schedule; false when no such schedule is published.</summary>
    public async Task<bool> SetPausedAsync(Guid projectId, Guid workflowId, string stage, string nodeId, bool paused, CancellationToken cancellationToken)
    {
        var key = JobKeyOf(projectId, workflowId, stage, nodeId);
        var scheduler = await schedulers.GetScheduler(cancellationToken).ConfigureAwait(false);
        if (!await scheduler.Exists(key, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        if (paused)
        {
            await scheduler.PauseJob(key, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var triggerKey = new TriggerKey(key.Name, key.Group);
            var now = scheduler.TimeProvider.GetUtcNow();
            if (await scheduler.GetTrigger(triggerKey, cancellationToken).ConfigureAwait(false) is ICronTrigger
                {
                    MisfireInstruction: CronTriggerMisfireInstruction.DoNothing, NextFireTimeUtc: { } next,
                } trigger && next < now)
            {
                // Quartz fires a tick that came due while paused, once, on resume when it had taken that tick up before the
                // pause, whatever the misfire setting; with `skip` no tick missed while paused may run, so it starts from now.
                await scheduler.RescheduleJob(triggerKey, trigger.GetTriggerBuilder().StartAt(now).Build(), cancellationToken).ConfigureAwait(false);
            }

            await scheduler.ResumeJob(key, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>
    /// Fires the schedule now, on whichever replica takes it, with a new execution id (returned); null when no such schedule
    /// is published. It is a firing of its own, so it runs even while the schedule is paused or a tick's run goes on.
    /// </summary>
    public async Task<Guid?> RunNowAsync(Guid projectId, Guid workflowId, string stage, string nodeId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var key = JobKeyOf(projectId, workflowId, stage, nodeId);
        var scheduler = await schedulers.GetScheduler(cancellationToken).ConfigureAwait(false);
        if (!await scheduler.Exists(key, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var executionId = Guid.CreateVersion7(now);
        await scheduler.TriggerJob(key, new JobDataMap { [ExecutionIdKey] = executionId.ToString() }, cancellationToken).ConfigureAwait(false);
        return executionId;
    }

    /// <summary>The schedules the project's publications ask for, in a stable order.</summary>
    public async Task<IReadOnlyList<ScheduleSpec>> PublishedAsync(Guid projectId, string? stage, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var rows = await (
            from p in db.Publications.AsNoTracking()
            join w in db.Workflows.AsNoTracking() on p.WorkflowId equals w.Id
            join s in db.Stages.AsNoTracking() on p.StageId equals s.Id
            join v in db.WorkflowVersions.AsNoTracking() on new { p.WorkflowId, Number = p.Version } equals new { v.WorkflowId, v.Number }
            where w.ProjectId == projectId && (stage == null || s.Name == stage)
            select new { Workflow = w, Stage = s.Name, p.Version, v.Document }).ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. rows
            .SelectMany(r => Of(r.Workflow, r.Stage, r.Version, r.Document))
            .OrderBy(s => s.Workflow, StringComparer.Ordinal).ThenBy(s => s.WorkflowId).ThenBy(s => s.Stage, StringComparer.Ordinal)
            .ThenBy(s => s.NodeId, StringComparer.Ordinal)];
    }

    /// <summary>The schedules of one published document: one per <c>schedule.cron</c> node with valid settings.</summary>
    public static IEnumerable<ScheduleSpec> Of(Workflow workflow, string stage, int version, string documentText) =>
        WorkflowFile.Parse(documentText).Document is { } document ? Of(workflow, stage, version, document) : [];

    public static IEnumerable<ScheduleSpec> Of(Workflow workflow, string stage, int version, WorkflowDocument document)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        ArgumentNullException.ThrowIfNull(document);
        foreach (var node in document.Nodes)
        {
            if (node.Type == ScheduleCron.TypeName && node.Disabled is not true && ScheduleCronSettings.Read(node.Settings) is { } settings)
            {
                yield return new ScheduleSpec(workflow.OrganizationId, workflow.ProjectId, workflow.Id, workflow.Name, stage, version, node.Id, settings);
            }
        }
    }

    /// <summary>
    /// Deletes the group's jobs nobody asks for any more, and (re)makes those whose settings changed, keeping their pause (a
    /// person's decision that no publish lifts). A job whose settings are the same is left alone: its trigger keeps its next
    /// fire time across publishes of other versions.
    /// </summary>
    private async Task ApplyAsync(string group, IReadOnlyList<ScheduleSpec> wanted, CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken).ConfigureAwait(false);
        var existing = await scheduler.GetJobKeys(GroupMatcher<JobKey>.GroupEquals(group), cancellationToken).ConfigureAwait(false);
        var byKey = wanted.ToDictionary(s => s.JobKey);
        foreach (var key in existing.Where(k => !byKey.ContainsKey(k)))
        {
            await scheduler.DeleteJob(key, cancellationToken).ConfigureAwait(false);
            Log.Removed(logger, key.Group, key.Name);
        }

        foreach (var spec in wanted)
        {
            var key = spec.JobKey;
            var triggerKey = new TriggerKey(key.Name, key.Group);
            var job = await scheduler.GetJobDetail(key, cancellationToken).ConfigureAwait(false);
            var fingerprint = job?.JobDataMap.GetString(FingerprintKey);
            if (fingerprint == spec.Settings.Fingerprint && await scheduler.Exists(triggerKey, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            var paused = job is not null && await IsPausedAsync(scheduler, triggerKey, cancellationToken).ConfigureAwait(false);
            var detail = JobBuilder.Create<ScheduledRunJob>()
                .WithIdentity(key)
                .StoreDurably()
                .UsingJobData(ProjectKey, spec.ProjectId.ToString())
                .UsingJobData(WorkflowKey, spec.WorkflowId.ToString())
                .UsingJobData(StageKey, spec.Stage)
                .UsingJobData(NodeKey, spec.NodeId)
                .UsingJobData(FingerprintKey, spec.Settings.Fingerprint)
                .Build();
            var trigger = Trigger(spec, triggerKey, key, scheduler.TimeProvider);
            await scheduler.ScheduleJob(detail, [trigger], new ScheduleJobOptions { Replace = true, Paused = paused }, cancellationToken)
                .ConfigureAwait(false);
            Log.Scheduled(logger, key.Group, key.Name, spec.Settings.Cron, spec.Settings.TimeZone);
        }
    }

    private static ITrigger Trigger(ScheduleSpec spec, TriggerKey triggerKey, JobKey jobKey, TimeProvider time)
    {
        var settings = spec.Settings;
        var misfire = settings.Misfire == ScheduleCronSettings.MisfireRunOnce
            ? CronTriggerMisfireInstruction.FireAndProceed
            : CronTriggerMisfireInstruction.DoNothing;
        var overlap = settings.Overlap switch
        {
            ScheduleCronSettings.OverlapAllow => OverlapPolicy.AllowAll,
            ScheduleCronSettings.OverlapQueue => OverlapPolicy.BufferOne,
            _ => OverlapPolicy.Skip,
        };
        var zone = ScheduleCronSettings.FindTimeZone(settings.TimeZone) ?? TimeZoneInfo.Utc;
        return TriggerBuilder.Create(time)
            .WithIdentity(triggerKey)
            .ForJob(jobKey)
            .WithCronSchedule(settings.QuartzCron, cron => cron.InTimeZone(zone).WithMisfireInstruction(misfire))
            .WithOverlapPolicy(overlap)
            .StartAt(time.GetUtcNow())
            .Build();
    }

    private static async Task<bool> IsPausedAsync(IScheduler scheduler, TriggerKey key, CancellationToken cancellationToken) =>
        await scheduler.GetTriggerState(key, cancellationToken).ConfigureAwait(false) is TriggerState.Paused;

    private static List<DateTimeOffset> NextFireTimes(ITrigger trigger, int count)
    {
        var times = new List<DateTimeOffset>();
        var next = trigger.NextFireTimeUtc;
        while (next is { } time && times.Count < count)
        {
            times.Add(time);
            next = trigger.GetFireTimeAfter(time);
        }

        return times;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Schedule {Group}/{Name}: '{Cron}' in {TimeZone}")]
        public static partial void Scheduled(ILogger logger, string group, string name, string cron, string timeZone);

        [LoggerMessage(Level = LogLevel.Information, Message = "Schedule {Group}/{Name} removed")]
        public static partial void Removed(ILogger logger, string group, string name);
    }
}

