using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Plexus.Engine.Execution;
using Plexus.Engine.Validation;
using Plexus.Engine.Workflows;
using Plexus.Persistence;
using Plexus.Persistence.Model;
using Microsoft.Extensions.Options;
using Plexus.Server.Features.LiveEvents;
using Plexus.Server.Features.Queue;
using Plexus.Server.Infrastructure;
using Plexus.Server.Infrastructure.ExecutionStore;

namespace Plexus.Server.Features.Executions;

/// <summary>
/// Runs workflows for the API and the router: compiles (cached), resolves the stage's environment and secrets, runs,
/// records by the workflow's save policy, and resumes or cancels executions. Tenant access is the caller's check:
/// load the workflow or execution row, ask <c>IAccess</c>, then call here.
/// </summary>
public sealed partial class ExecutionRunner(
    WorkflowExecutor executor,
    ExecutionPlans plans,
    ExecutionRecorder recorder,
    ActiveExecutions active,
    LiveExecutions live,
    IServiceScopeFactory scopes,
    IDataProtectionProvider protection,
    QueuedWorkCodec codec,
    QueueReplica replica,
    IOptions<QueueOptions> queueOptions,
    QueueStore queueStore,
    QueueSignal signal,
    Plexus.Server.Features.Router.RouteTables routeTables,
    CancelRequests cancelRequests,
    TimeProvider time,
    ILogger<ExecutionRunner> logger)
{
    /// <summary>The Data Protection purpose a waiting run's saved state is protected with.</summary>
    public const string StatePurpose = "plexus.executions.state";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>How long a cancel asked of another replica is watched for, and how often the stored state is read meanwhile.</summary>
    private static readonly TimeSpan StopElsewhereWait = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan StopElsewhereCheck = TimeSpan.FromMilliseconds(100);

    private readonly IDataProtector _state = protection.CreateProtector(StatePurpose);

    /// <summary>Runs until the execution ends or waits. <paramref name="cancellationToken"/> cancels the run (recorded <c>cancelled</c>).</summary>
    public async Task<ExecutionOutcome> RunAsync(RunStart start, CancellationToken cancellationToken)
    {
        var prepared = await PrepareAsync(start, cancellationToken).ConfigureAwait(false);
        return prepared.Outcome ?? await ExecuteAsync(prepared.Run!, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Checks and starts a run in the background, and answers once it is under way (its start recorded, when the policy
    /// records starts). The run is not tied to <paramref name="cancellationToken"/>; cancel it with <see cref="CancelAsync"/>.
    /// </summary>
    public async Task<ExecutionOutcome> StartAsync(RunStart start, CancellationToken cancellationToken)
    {
        var prepared = await PrepareAsync(start, cancellationToken).ConfigureAwait(false);
        if (prepared.Outcome is { } refused)
        {
            return refused;
        }

        var run = prepared.Run!;
        var completion = Task.Run(() => ExecuteAsync(run, CancellationToken.None), CancellationToken.None);
        return new ExecutionOutcome(ExecutionOutcomeKind.Started, run.Id) { Completion = completion };
    }

    /// <summary>Resumes the wait at <paramref name="nodeId"/> of a waiting execution; the payload becomes that node's output.</summary>
    public async Task<ExecutionOutcome> ResumeAsync(Guid executionId, string nodeId, JsonNode? payload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nodeId);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var row = await db.Executions.AsNoTracking().FirstOrDefaultAsync(e => e.Id == executionId, cancellationToken).ConfigureAwait(false);
        if (row is null)
        {
            return ExecutionOutcome.NotFound("execution not found", executionId);
        }

        if (row.Status != ExecutionStatus.Waiting || row.SuspendedState is null)
        {
            return ExecutionOutcome.Conflict(executionId, $"the execution is {row.Status}, not waiting");
        }

        var waits = await db.NodeRuns.AnyAsync(n => n.ExecutionId == executionId && n.NodeId == nodeId && n.Status == NodeRunStatus.Waiting,
            cancellationToken).ConfigureAwait(false);
        if (!waits)
        {
            return ExecutionOutcome.NotFound($"the execution has no wait at node '{nodeId}'", executionId);
        }

        return await ResumeClaimedAsync(db, row, nodeId, payload, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Resumes the wait a single-use resume token belongs to. A token already used is a conflict.</summary>
    public async Task<ExecutionOutcome> ResumeByTokenAsync(string token, JsonNode? payload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        var hash = Hashes.Sha256(token);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var wait = await db.NodeRuns.AsNoTracking().Where(n => n.ResumeTokenHash == hash).Select(n => new { n.ExecutionId, n.Status })
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (wait is null)
        {
            return ExecutionOutcome.NotFound("no wait has this resume token");
        }

        var row = await db.Executions.AsNoTracking().FirstOrDefaultAsync(e => e.Id == wait.ExecutionId, cancellationToken).ConfigureAwait(false);
        if (row is null)
        {
            return ExecutionOutcome.NotFound("no wait has this resume token");
        }

        if (wait.Status != NodeRunStatus.Waiting || row.Status != ExecutionStatus.Waiting || row.SuspendedState is null)
        {
            return ExecutionOutcome.Conflict(row.Id, "the resume token was already used");
        }

        return await ResumeClaimedAsync(db, row, token, payload, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a queue item this replica claimed: a start (its execution is listed as running already) or a resumption.
    /// An item whose execution ended meanwhile (cancelled while queued, resumed otherwise) is dropped; one that cannot
    /// run (its payload unreadable, its workflow gone, claimed too often because replicas died running it) fails its
    /// execution with the reason. Returns once the run ends or waits.
    /// </summary>
    /// <param name="started">Whether the claim moved this start's execution from queued to running (it is then not read again).</param>
    public async Task RunQueuedAsync(QueuedRunRow item, bool started, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var work = codec.Read(item.Payload);
        var row = started && work is not null
            ? RowOf(item, work)
            : await db.Executions.AsNoTracking().FirstOrDefaultAsync(e => e.Id == item.Id, cancellationToken).ConfigureAwait(false);
        if (row is null || row.Status is not (ExecutionStatus.Running or ExecutionStatus.Waiting))
        {
            await queueStore.DropAsync(db, item.Id, replica.Id, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (item.Kind == QueuedWork.CancelKind)
        {
            // Cancelled while another replica held it, which did not finish it: recorded cancelled, not run again.
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await EndCancelledAsync(db, row.Id, [ExecutionStatus.Running, ExecutionStatus.Waiting], cancellationToken).ConfigureAwait(false);
            await db.QueuedRuns.Where(q => q.Id == item.Id).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            Log.QueuedRunCancelled(logger, row.Id);
            return;
        }

        if (work is null)
        {
            await FailQueuedAsync(db, row, "the queued run cannot be read (were the Data Protection keys changed?)", cancellationToken).ConfigureAwait(false);
            return;
        }

        if (item.Deliveries > queueOptions.Value.MaxDeliveries)
        {
            await FailQueuedAsync(db, row, string.Create(CultureInfo.InvariantCulture,
                $"the run was interrupted {item.Deliveries - 1} times: the replica running it stopped without finishing it"), cancellationToken).ConfigureAwait(false);
            return;
        }

        var ticket = new QueueTicket(work, replica.Id);
        if (item.Kind == QueuedWork.ResumeKind)
        {
            // A timer's resume moves the waiting run to running; a run already running was claimed by an earlier holder of this item.
            if (row.Status == ExecutionStatus.Waiting)
            {
                var claimed = await db.Executions.Where(e => e.Id == row.Id && e.Status == ExecutionStatus.Waiting)
                    .ExecuteUpdateAsync(s => s.SetProperty(e => e.Status, ExecutionStatus.Running), cancellationToken).ConfigureAwait(false);
                if (claimed == 0)
                {
                    await queueStore.DropAsync(db, item.Id, replica.Id, cancellationToken).ConfigureAwait(false);
                    return;
                }
            }

            if (row.SuspendedState is null || work.Resume is null)
            {
                await FailQueuedAsync(db, row, "the waiting run's saved state is gone", cancellationToken).ConfigureAwait(false);
                return;
            }

            var resumed = await ResumeRunAsync(db, row, work.Resume, work.ResumePayload, ticket, cancellationToken).ConfigureAwait(false);
            if (resumed.Kind == ExecutionOutcomeKind.NotFound)
            {
                await FailQueuedAsync(db, row, resumed.Detail ?? "the run cannot be resumed", cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        // A published route's run finds its workflow, document and stage values in the route table already built here.
        var routes = work.Version is not null ? routeTables.Built(item.ProjectId, work.Stage) : null;
        var target = routes?.Table.Entries.FirstOrDefault(e => e.Target.Workflow.Id == item.WorkflowId && e.Target.Version == work.Version)?.Target;
        var workflow = target?.Workflow
            ?? await db.Workflows.AsNoTracking().FirstOrDefaultAsync(w => w.Id == item.WorkflowId, cancellationToken).ConfigureAwait(false);
        var document = work.Document is { } draft ? WorkflowFile.Parse(draft).Document : target?.Document;
        if (document is null && workflow is not null && work.Version is { } version)
        {
            var text = await db.WorkflowVersions.Where(v => v.WorkflowId == workflow.Id && v.Number == version).Select(v => v.Document)
                .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            document = text is null ? null : WorkflowFile.Parse(text).Document;
        }

        if (workflow is null || document is null)
        {
            await FailQueuedAsync(db, row, "the workflow or its version was deleted before the run started", cancellationToken).ConfigureAwait(false);
            return;
        }

        var start = new RunStart
        {
            Workflow = workflow,
            Document = document,
            Version = work.Version,
            Stage = work.Stage,
            Input = work.Input,
            TriggerNodeId = work.TriggerNodeId,
            UsePinned = work.UsePinned,
            FromNode = work.FromNode,
            KnownOutputs = work.KnownOutputs?.ToDictionary(p => p.Key, p => p.Value?.DeepClone(), StringComparer.Ordinal),
            CorrelationId = work.CorrelationId,
            ExecutionId = item.Id,
            Values = target is null ? null : routes!.Values,
            WaitInline = false,
            MaxInlineWait = queueOptions.Value.MaxInlineWait,
            Live = work.Live,
            Queued = ticket,
        };
        using var logScope = RunLogScope.Begin(logger, work.CorrelationId, item.Id);
        var outcome = await RunAsync(start, cancellationToken).ConfigureAwait(false);
        if (outcome.Kind is ExecutionOutcomeKind.Invalid or ExecutionOutcomeKind.NotFound)
        {
            var reason = outcome.Problems.Count > 0 ? $"{outcome.Problems[0].Path}: {outcome.Problems[0].Message}" : outcome.Detail;
            await FailQueuedAsync(db, row, $"the run could not start: {reason}", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The execution row of a start a claim moved to running, from what its item carries (not read again).</summary>
    private static ExecutionRow RowOf(QueuedRunRow item, QueuedWork work) => new()
    {
        Id = item.Id,
        OrganizationId = item.OrganizationId,
        ProjectId = item.ProjectId,
        WorkflowId = item.WorkflowId,
        Version = work.Version,
        Stage = work.Stage,
        Status = ExecutionStatus.Running,
        CorrelationId = work.CorrelationId,
        StartedAt = item.EnqueuedAt,
        EnqueuedAt = item.EnqueuedAt,
        Attempt = work.Attempt,
        RetryOf = work.RetryOf,
    };

    /// <summary>Fails a queued execution that cannot run, drops its item, and tells the outbox, in one transaction.</summary>
    private async Task FailQueuedAsync(AppDbContext db, ExecutionRow row, string reason, CancellationToken cancellationToken)
    {
        Log.QueuedRunFailed(logger, row.Id, reason);
        var now = time.GetUtcNow();
        var error = new ExecutionError(reason, "queue", null);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var text = ExecutionRows.Text(error);
        await db.Executions.Where(e => e.Id == row.Id).ExecuteUpdateAsync(s => s
            .SetProperty(e => e.Status, ExecutionStatus.Failed)
            .SetProperty(e => e.Error, text)
            .SetProperty(e => e.EndedAt, now)
            .SetProperty(e => e.SuspendedState, (string?)null), cancellationToken).ConfigureAwait(false);
        await db.QueuedRuns.Where(q => q.Id == row.Id).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        if (row.Version is not null)
        {
            var owner = new ExecutionOwner(row.OrganizationId, row.ProjectId, row.WorkflowId, row.Version);
            var record = new ExecutionRecord(row.Id.ToString("n"), "", row.Stage, ExecutionStatus.Failed, null, null, error, null, row.CorrelationId,
                row.StartedAt, now, []);
            await RowInserts.InsertAsync(db, [ErrorEvents.Failed(row.Id, owner, null, record, row.Attempt, row.RetryOf, now)], cancellationToken)
                .ConfigureAwait(false);
            await queueStore.NotifyAsync(db, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        signal.Outbox.Set();
    }

    /// <summary>
    /// Cancels an execution: a run of this process is stopped (it records itself <c>cancelled</c>); a waiting one is
    /// marked <c>cancelled</c> and its saved state dropped. One that already ended is a conflict.
    /// </summary>
    public async Task<ExecutionOutcome> CancelAsync(Guid executionId, CancellationToken cancellationToken)
    {
        if (active.Cancel(executionId))
        {
            return new ExecutionOutcome(ExecutionOutcomeKind.Ran, executionId);
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        // A run waiting in the queue or for a resume is not running anywhere: it ends here, and its queue item (a start,
        // a timer) goes with it. A queued run a worker claimed meanwhile is running, and that worker drops it.
        if (await EndCancelledAsync(db, executionId, [ExecutionStatus.Waiting, ExecutionStatus.Queued], cancellationToken).ConfigureAwait(false))
        {
            await db.QueuedRuns.Where(q => q.Id == executionId && q.LeaseOwner == null).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            return new ExecutionOutcome(ExecutionOutcomeKind.Ran, executionId);
        }

        var status = await db.Executions.Where(e => e.Id == executionId).Select(e => e.Status).FirstOrDefaultAsync(cancellationToken)
            .ConfigureAwait(false);
        if (status == ExecutionStatus.Running && await queueStore.IsHeldByAsync(db, executionId, replica.Id, cancellationToken).ConfigureAwait(false))
        {
            // Claimed by this replica's workers (a claim moves a start to running), not under way yet: it stops as it starts.
            return CancelOnStart(executionId);
        }

        if (status == ExecutionStatus.Running && cancelRequests.CanAskOthers)
        {
            // Running on another replica: the one running it stops it and records it cancelled. Its queue item (if it
            // has one) is marked first, so that a replica that claims it later, because its holder died before hearing
            // the request, records the run cancelled instead of running it again.
            await db.QueuedRuns.Where(q => q.Id == executionId).ExecuteUpdateAsync(s => s.SetProperty(q => q.Kind, QueuedWork.CancelKind), cancellationToken)
                .ConfigureAwait(false);
            await cancelRequests.AskOthersAsync(executionId, cancellationToken).ConfigureAwait(false);
            return new ExecutionOutcome(ExecutionOutcomeKind.Ran, executionId) { Completion = StoppedElsewhereAsync(executionId) };
        }

        return status is null
            ? ExecutionOutcome.NotFound("execution not found", executionId)
            : ExecutionOutcome.Conflict(executionId, $"the execution is {status}");
    }

    /// <summary>
    /// Records an execution that runs nowhere as cancelled, when its status is one of <paramref name="from"/>, and
    /// cancels its waits; false when it was in none of them.
    /// </summary>
    private async Task<bool> EndCancelledAsync(AppDbContext db, Guid executionId, string[] from, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var error = ExecutionRows.Text(new ExecutionError("the run was cancelled", "cancelled", null));
        var cancelled = await db.Executions.Where(e => e.Id == executionId && from.Contains(e.Status))
            .ExecuteUpdateAsync(s => s
                .SetProperty(e => e.Status, ExecutionStatus.Cancelled)
                .SetProperty(e => e.EndedAt, now)
                .SetProperty(e => e.Error, error)
                .SetProperty(e => e.SuspendedState, (string?)null), cancellationToken).ConfigureAwait(false);
        if (cancelled == 0)
        {
            return false;
        }

        await db.NodeRuns.Where(n => n.ExecutionId == executionId && n.Status == NodeRunStatus.Waiting)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.Status, NodeRunStatus.Cancelled), cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Ends when the stored execution is no longer running (another replica stopped it and recorded that), or after
    /// <see cref="StopElsewhereWait"/> (a replica that did not hear the request, or died).
    /// </summary>
    private async Task<ExecutionOutcome> StoppedElsewhereAsync(Guid executionId)
    {
        using var limit = new CancellationTokenSource(StopElsewhereWait, time);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            while (await db.Executions.AsNoTracking().Where(e => e.Id == executionId).Select(e => e.Status)
                       .FirstOrDefaultAsync(limit.Token).ConfigureAwait(false) == ExecutionStatus.Running)
            {
                await Task.Delay(StopElsewhereCheck, time, limit.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
            // Still running as far as the database knows: the caller answers what is stored.
        }

        return new ExecutionOutcome(ExecutionOutcomeKind.Ran, executionId);
    }

    /// <summary>What starting <paramref name="start"/> would refuse (an invalid workflow, trigger or start node), or null: for a run queued to start later.</summary>
    public ExecutionOutcome? Check(RunStart start) => Compile(start, start?.ExecutionId ?? Guid.Empty).Outcome;

    private (ExecutionPlan? Plan, WorkflowDocument Document, ExecutionOutcome? Outcome) Compile(RunStart start, Guid id)
    {
        ArgumentNullException.ThrowIfNull(start);
        var workflow = start.Workflow;
        var document = start.Pinned is { } pinned ? start.Document with { Pinned = pinned } : start.Document;
        var compiled = start.Pinned is null
            ? plans.Compile(PlanKey.Of(workflow.Id, start.Version, workflow.DraftRevision), document)
            : plans.CompileOnce(document);
        if (compiled.Plan is not { } plan)
        {
            return (null, document, new ExecutionOutcome(ExecutionOutcomeKind.Invalid, id) { Problems = compiled.Problems });
        }

        if (start.TriggerNodeId is { } trigger && !document.Nodes.Any(n => n.Id == trigger))
        {
            return (null, document, new ExecutionOutcome(ExecutionOutcomeKind.Invalid, id) { Problems = [new Problem("trigger", $"no node '{trigger}'")] });
        }

        if (start.FromNode is { } from && !plan.CanStartAt(from, out var reason))
        {
            return (null, document, new ExecutionOutcome(ExecutionOutcomeKind.Invalid, id) { Problems = [new Problem("fromNode", reason!)] });
        }

        return (plan, document, null);
    }

    private ExecutionOutcome CancelOnStart(Guid executionId)
    {
        var ended = active.CancelWhenStarted(executionId);
        return new ExecutionOutcome(ExecutionOutcomeKind.Ran, executionId)
        {
            Completion = ended.ContinueWith(_ => new ExecutionOutcome(ExecutionOutcomeKind.Ran, executionId), CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default),
        };
    }

    private async Task<(PreparedRun? Run, ExecutionOutcome? Outcome)> PrepareAsync(RunStart start, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(start);
        var workflow = start.Workflow;
        var id = start.ExecutionId ?? Guid.CreateVersion7(time.GetUtcNow());
        var (compiledPlan, document, refused) = Compile(start, id);
        if (refused is not null)
        {
            return (null, refused);
        }

        var plan = compiledPlan!;
        var values = start.Values ?? await LoadStageAsync(workflow.ProjectId, start.Stage, cancellationToken).ConfigureAwait(false);
        if (values is null)
        {
            return (null, ExecutionOutcome.NotFound($"stage '{start.Stage}' not found", id));
        }

        var request = new RunRequest
        {
            ExecutionId = id.ToString("n"),
            Stage = start.Stage,
            CorrelationId = start.CorrelationId,
            TriggerNodeId = start.TriggerNodeId,
            Input = start.Input,
            StartAt = start.FromNode,
            KnownOutputs = start.KnownOutputs ?? new Dictionary<string, JsonNode?>(),
            Env = values.Env,
            Secrets = values.Secrets,
            UsePinned = start.UsePinned || start.Pinned is not null,
            WaitInline = start.WaitInline,
            MaxInlineWait = start.MaxInlineWait,
            Events = start.Live ? live.Open(id) : start.Events,
            OnResponse = start.OnResponse,
        };
        var owner = new ExecutionOwner(workflow.OrganizationId, workflow.ProjectId, workflow.Id, start.Version);
        var run = new PreparedRun(id, owner, Policy(workflow, request.Stage), plan, document, workflow.DraftRevision, request, values)
        {
            StartedAt = time.GetUtcNow(),
            StartedTimestamp = time.GetTimestamp(),
            Queued = start.Queued,
            StartWritten = start.Queued is not null, // queued with its execution row
        };
        if (start.RecordStartAtOnce && start.Queued is null)
        {
            // Recorded before the run is under way, so that an answer with the execution id finds it.
            run.StartWritten = await recorder.RecordStartAsync(StartEntry(run), run.Policy, cancellationToken).ConfigureAwait(false);
        }

        return (run, null);
    }

    private static ExecutionEntry StartEntry(PreparedRun run)
    {
        var request = run.Request;
        var started = new ExecutionRecord(request.ExecutionId, run.Document.Name, request.Stage, ExecutionStatus.Running, null, null, null,
            RecordValues.Store(request.Input, new Redactor()).Value, request.CorrelationId, run.StartedAt, null, []);
        return new ExecutionEntry(run.Id, run.Owner, started);
    }

    /// <summary>Writes the start of a run still going after <see cref="ExecutionOptions.LateStartDelay"/>, unless it has ended meanwhile.</summary>
    private void RecordLateStart(PreparedRun run)
    {
        lock (run.Gate)
        {
            // Under the gate: the end's record must be queued after the start's, or the start would overwrite it.
            if (!run.StartWritten && !run.Ended)
            {
                run.StartWritten = recorder.TryRecordStart(StartEntry(run));
            }
        }
    }

    private async Task<ExecutionOutcome> ExecuteAsync(PreparedRun run, CancellationToken cancellationToken)
    {
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var registration = Register(run, cancellation);
        try
        {
            var result = await executor.RunAsync(run.Plan, run.Request, cancellation.Token).ConfigureAwait(false);
            await FinishAsync(run, result).ConfigureAwait(false);
            return new ExecutionOutcome(ExecutionOutcomeKind.Ran, run.Id) { Result = result };
        }
        finally
        {
            active.Remove(registration);
            live.Close(run.Id);
        }
    }

    private async Task<ExecutionOutcome> ResumeClaimedAsync(AppDbContext db, ExecutionRow row, string nodeOrToken, JsonNode? payload,
        CancellationToken cancellationToken)
    {
        // One resume wins: the row goes from waiting to running once. In the same transaction the resumption becomes
        // a queue item held by this replica, so that it is finished elsewhere if this process dies while running it;
        // a timer's item for the same wait state goes (the resumed run queues its own when it waits again).
        var work = new QueuedWork { Stage = row.Stage, Resume = nodeOrToken, ResumePayload = payload?.DeepClone() };
        var now = time.GetUtcNow();
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
        {
            var claimed = await db.Executions.Where(e => e.Id == row.Id && e.Status == ExecutionStatus.Waiting)
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.Status, ExecutionStatus.Running), cancellationToken).ConfigureAwait(false);
            if (claimed == 0)
            {
                return ExecutionOutcome.Conflict(row.Id, "the execution was resumed already");
            }

            await db.QueuedRuns.Where(q => q.Id == row.Id).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            var owner = new ExecutionOwner(row.OrganizationId, row.ProjectId, row.WorkflowId, row.Version);
            await RowInserts.InsertAsync(db, [QueueRows.Item(row.Id, owner, QueuedWork.ResumeKind, codec.Write(work), now, now, replica.Id,
                now + queueOptions.Value.LeaseDuration)], cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        replica.Hold(row.Id);
        try
        {
            return await ResumeRunAsync(db, row, nodeOrToken, payload, new QueueTicket(work, replica.Id), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            replica.Drop(row.Id);
        }
    }

    /// <summary>Runs a resumption of <paramref name="row"/>, already moved to running by the caller and held as a queue item.</summary>
    private async Task<ExecutionOutcome> ResumeRunAsync(AppDbContext db, ExecutionRow row, string nodeOrToken, JsonNode? payload, QueueTicket ticket,
        CancellationToken cancellationToken)
    {
        using var logScope = RunLogScope.Begin(logger, row.CorrelationId, row.Id);
        try
        {
            var workflow = await db.Workflows.AsNoTracking().FirstOrDefaultAsync(w => w.Id == row.WorkflowId, cancellationToken).ConfigureAwait(false);
            var suspended = ReadState(row.SuspendedState!);
            var document = suspended is null ? null : WorkflowFile.Parse(suspended.Document).Document;
            if (workflow is null || suspended is null || document is null)
            {
                await ReleaseAsync(db, row.Id).ConfigureAwait(false);
                return ExecutionOutcome.NotFound("the execution's workflow or saved state is gone", row.Id);
            }

            var compiled = plans.Compile(PlanKey.Of(workflow.Id, row.Version, suspended.DraftRevision), document);
            var values = await LoadStageAsync(workflow.ProjectId, row.Stage, cancellationToken).ConfigureAwait(false);
            if (compiled.Plan is not { } plan || values is null)
            {
                await ReleaseAsync(db, row.Id).ConfigureAwait(false);
                return ExecutionOutcome.NotFound($"stage '{row.Stage}' or the workflow's plan is gone", row.Id);
            }

            var request = new RunRequest
            {
                ExecutionId = row.Id.ToString("n"),
                Stage = row.Stage,
                CorrelationId = row.CorrelationId,
                Env = values.Env,
                Secrets = values.Secrets,
                Events = live.Open(row.Id),
                MaxInlineWait = queueOptions.Value.MaxInlineWait,
            };
            var owner = new ExecutionOwner(row.OrganizationId, row.ProjectId, row.WorkflowId, row.Version);
            var run = new PreparedRun(row.Id, owner, Policy(workflow, row.Stage), plan, document, suspended.DraftRevision, request, values)
            {
                StartWritten = true,
                Queued = ticket,
                StartedAt = time.GetUtcNow(),
                StartedTimestamp = time.GetTimestamp(),
            };
            using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var registration = Register(run, cancellation);
            try
            {
                var result = await executor.ResumeAsync(plan, suspended.State, request, nodeOrToken, payload, cancellation.Token).ConfigureAwait(false);
                await FinishAsync(run, result).ConfigureAwait(false);
                return new ExecutionOutcome(ExecutionOutcomeKind.Ran, row.Id) { Result = result };
            }
            finally
            {
                active.Remove(registration);
                live.Close(row.Id);
            }
        }
        catch (Exception exception) when (exception is ArgumentException or CryptographicException or JsonException)
        {
            Log.ResumeFailed(logger, exception, row.Id);
            await ReleaseAsync(db, row.Id).ConfigureAwait(false);
            return ExecutionOutcome.NotFound($"the execution cannot be resumed at '{nodeOrToken}'", row.Id);
        }
    }

    /// <summary>Gives a claimed execution back to the waiting state after a resume that could not start, and drops its queue item.</summary>
    private async Task ReleaseAsync(AppDbContext db, Guid id)
    {
        await queueStore.DropAsync(db, id, replica.Id, CancellationToken.None).ConfigureAwait(false);
        await db.Executions.Where(e => e.Id == id && e.Status == ExecutionStatus.Running)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.Status, ExecutionStatus.Waiting), CancellationToken.None).ConfigureAwait(false);
    }

    private ActiveExecution Register(PreparedRun run, CancellationTokenSource cancellation)
    {
        var registration = new ActiveExecution(run.Request.ExecutionId, run.Owner.OrganizationId, run.Owner.ProjectId, run.Request.Stage,
            run.Owner.Version is null, run.Values, 0)
        {
            Cancellation = cancellation,
            StartedTimestamp = run.StartedTimestamp,
            RecordLateStart = run.StartWritten || !SavePolicy.RecordsStart(run.Policy) ? null : () => RecordLateStart(run),
        };
        active.Add(registration);
        return registration;
    }

    /// <summary>
    /// Records the run's end, or, for a queued run stopped only because this process is stopping, gives its item back
    /// to the queue (another replica, or this one after a restart, runs it again).
    /// </summary>
    private async Task FinishAsync(PreparedRun run, ExecutionResult result)
    {
        if (run.Queued is { } ticket && result.Status == ExecutionStatus.Cancelled && active.Stopping)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            await queueStore.ReleaseAsync(db, run.Id, ticket.Owner, time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
            if (ticket.Work.Resume is null)
            {
                await db.Executions.Where(e => e.Id == run.Id && e.Status == ExecutionStatus.Running)
                    .ExecuteUpdateAsync(s => s.SetProperty(e => e.Status, ExecutionStatus.Queued), CancellationToken.None).ConfigureAwait(false);
            }

            Log.Released(logger, run.Id);
            return;
        }

        await RecordAsync(run, result).ConfigureAwait(false);
    }

    private async Task RecordAsync(PreparedRun run, ExecutionResult result)
    {
        bool startWritten;
        lock (run.Gate)
        {
            run.Ended = true;
            startWritten = run.StartWritten;
        }

        var entry = new ExecutionEntry(run.Id, run.Owner, result.Record) { AlreadyRecorded = startWritten, Effects = Effects(run, result) };
        if (result.IsWaiting)
        {
            var state = new SuspendedRun(WorkflowFile.Write(run.Document), run.DraftRevision, result.SaveState());
            entry = entry with { SuspendedState = _state.Protect(JsonSerializer.Serialize(state, Json)) };
        }

        // Not the run's token: a cancelled run must still be recorded. A waiting run is stored before its
        // resume token is handed out.
        await recorder.RecordAsync(entry, run.Policy, untilStored: result.IsWaiting, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>
    /// What the run's end causes, written with its record: a queued run's item is done, or becomes the resume of its
    /// earliest timer; a failed queued start is retried per the workflow's <c>retry</c>; a failure that is final
    /// (of a published version) goes to the outbox for the project's error workflow.
    /// </summary>
    private RecordEffects? Effects(PreparedRun run, ExecutionResult result)
    {
        var now = time.GetUtcNow();
        var ticket = run.Queued;
        QueuedRunRow? next = null;
        List<(ExecutionRow, QueuedRunRow)> queued = [];
        List<OutboxMessageRow> messages = [];
        if (result.Status == ExecutionStatus.Failed)
        {
            var attempt = ticket?.Work.Attempt ?? 1;
            if (ticket is { Work.Resume: null } && run.Document.Retry is { } retry && attempt < retry.Attempts)
            {
                var work = ticket.Work with { Attempt = attempt + 1, RetryOf = ticket.Work.RetryOf ?? run.Id };
                queued.Add(QueueRows.Start(Guid.CreateVersion7(now), run.Owner, work, codec.Write(work), now, now + retry.DelayAfter(attempt)));
            }
            else if (run.Owner.Version is not null)
            {
                messages.Add(ErrorEvents.Failed(run.Id, run.Owner, run.Document.Name, result.Record, attempt, ticket?.Work.RetryOf, now));
            }
        }
        else if (ticket is not null && result.IsWaiting && result.Waits.Where(w => w.ResumeAt is not null).MinBy(w => w.ResumeAt) is { } timer)
        {
            var work = new QueuedWork { Stage = run.Request.Stage, Resume = timer.Token };
            next = QueueRows.Item(run.Id, run.Owner, QueuedWork.ResumeKind, codec.Write(work), now, timer.ResumeAt!.Value);
        }

        return ticket is null && messages.Count == 0
            ? null
            : new RecordEffects { CompletesItem = ticket is not null, NextItem = next, Queued = queued, Messages = messages };
    }

    private SuspendedRun? ReadState(string protectedState) =>
        JsonSerializer.Deserialize<SuspendedRun>(_state.Unprotect(protectedState), Json);

    private async Task<StageValues?> LoadStageAsync(Guid projectId, string stage, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        return await StageValues.LoadAsync(db, protection, projectId, stage, logger, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The stage's override when there is one, else the workflow's policy.</summary>
    private static string Policy(Workflow workflow, string stage)
    {
        var policy = SavePolicy.ForStage(workflow.StageSavePolicies, stage) ?? workflow.SavePolicy;
        return SavePolicy.IsKnown(policy) ? policy : SavePolicy.All;
    }

    private sealed record PreparedRun(Guid Id, ExecutionOwner Owner, string Policy, ExecutionPlan Plan, WorkflowDocument Document,
        int DraftRevision, RunRequest Request, StageValues Values)
    {
        /// <summary>Orders the late start's record before the end's (see <see cref="RecordLateStart"/>).</summary>
        public Lock Gate { get; } = new();

        public DateTimeOffset StartedAt { get; init; }
        public long StartedTimestamp { get; init; }

        /// <summary>Whether a state of the execution was written already (its start, or a wait it resumes from).</summary>
        public bool StartWritten { get; set; }

        /// <summary>Whether its final state was queued.</summary>
        public bool Ended { get; set; }

        /// <summary>For a run from the queue: its item (see <see cref="RunStart.Queued"/>).</summary>
        public QueueTicket? Queued { get; init; }
    }

    /// <summary>What a waiting run's row keeps (protected): the exact document it runs, and the engine's saved state.</summary>
    private sealed record SuspendedRun(string Document, int DraftRevision, string State);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Execution {ExecutionId} could not be resumed")]
        public static partial void ResumeFailed(ILogger logger, Exception exception, Guid executionId);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Queued execution {ExecutionId} failed before running: {Reason}")]
        public static partial void QueuedRunFailed(ILogger logger, Guid executionId, string reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "Queued execution {ExecutionId} was cancelled while another replica held it; recorded cancelled, not run again")]
        public static partial void QueuedRunCancelled(ILogger logger, Guid executionId);

        [LoggerMessage(Level = LogLevel.Information, Message = "Execution {ExecutionId} stopped with the process; given back to the queue")]
        public static partial void Released(ILogger logger, Guid executionId);
    }
}
