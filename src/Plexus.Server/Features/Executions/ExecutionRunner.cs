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
using Plexus.Server.Features.LiveEvents;
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
    TimeProvider time,
    ILogger<ExecutionRunner> logger)
{
    /// <summary>The Data Protection purpose a waiting run's saved state is protected with.</summary>
    public const string StatePurpose = "plexus.executions.state";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
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
        var now = time.GetUtcNow();
        var error = ExecutionRows.Text(new ExecutionError("the run was cancelled", "cancelled", null));
        var cancelled = await db.Executions.Where(e => e.Id == executionId && e.Status == ExecutionStatus.Waiting)
            .ExecuteUpdateAsync(s => s
                .SetProperty(e => e.Status, ExecutionStatus.Cancelled)
                .SetProperty(e => e.EndedAt, now)
                .SetProperty(e => e.Error, error)
                .SetProperty(e => e.SuspendedState, (string?)null), cancellationToken).ConfigureAwait(false);
        if (cancelled == 1)
        {
            await db.NodeRuns.Where(n => n.ExecutionId == executionId && n.Status == NodeRunStatus.Waiting)
                .ExecuteUpdateAsync(s => s.SetProperty(n => n.Status, NodeRunStatus.Cancelled), cancellationToken).ConfigureAwait(false);
            return new ExecutionOutcome(ExecutionOutcomeKind.Ran, executionId);
        }

        var status = await db.Executions.Where(e => e.Id == executionId).Select(e => e.Status).FirstOrDefaultAsync(cancellationToken)
            .ConfigureAwait(false);
        return status is null
            ? ExecutionOutcome.NotFound("execution not found", executionId)
            : ExecutionOutcome.Conflict(executionId, $"the execution is {status}");
    }

    private async Task<(PreparedRun? Run, ExecutionOutcome? Outcome)> PrepareAsync(RunStart start, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(start);
        var workflow = start.Workflow;
        var id = start.ExecutionId ?? Guid.CreateVersion7(time.GetUtcNow());
        var document = start.Pinned is { } pinned ? start.Document with { Pinned = pinned } : start.Document;
        var compiled = start.Pinned is null
            ? plans.Compile(PlanKey.Of(workflow.Id, start.Version, workflow.DraftRevision), document)
            : plans.CompileOnce(document);
        if (compiled.Plan is not { } plan)
        {
            return (null, new ExecutionOutcome(ExecutionOutcomeKind.Invalid, id) { Problems = compiled.Problems });
        }

        if (start.TriggerNodeId is { } trigger && !document.Nodes.Any(n => n.Id == trigger))
        {
            return (null, new ExecutionOutcome(ExecutionOutcomeKind.Invalid, id) { Problems = [new Problem("trigger", $"no node '{trigger}'")] });
        }

        if (start.FromNode is { } from && !plan.CanStartAt(from, out var reason))
        {
            return (null, new ExecutionOutcome(ExecutionOutcomeKind.Invalid, id) { Problems = [new Problem("fromNode", reason!)] });
        }

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
            Events = start.Live ? live.Open(id) : start.Events,
            OnResponse = start.OnResponse,
        };
        var owner = new ExecutionOwner(workflow.OrganizationId, workflow.ProjectId, workflow.Id, start.Version);
        var run = new PreparedRun(id, owner, Policy(workflow, request.Stage), plan, document, workflow.DraftRevision, request, values)
        {
            StartedAt = time.GetUtcNow(),
            StartedTimestamp = time.GetTimestamp(),
        };
        if (start.RecordStartAtOnce)
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
            await RecordAsync(run, result).ConfigureAwait(false);
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
        // One resume wins: the row goes from waiting to running once.
        var claimed = await db.Executions.Where(e => e.Id == row.Id && e.Status == ExecutionStatus.Waiting)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.Status, ExecutionStatus.Running), cancellationToken).ConfigureAwait(false);
        if (claimed == 0)
        {
            return ExecutionOutcome.Conflict(row.Id, "the execution was resumed already");
        }

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
            };
            var owner = new ExecutionOwner(row.OrganizationId, row.ProjectId, row.WorkflowId, row.Version);
            var run = new PreparedRun(row.Id, owner, Policy(workflow, row.Stage), plan, document, suspended.DraftRevision, request, values)
            {
                StartWritten = true,
                StartedAt = time.GetUtcNow(),
                StartedTimestamp = time.GetTimestamp(),
            };
            using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var registration = Register(run, cancellation);
            try
            {
                var result = await executor.ResumeAsync(plan, suspended.State, request, nodeOrToken, payload, cancellation.Token).ConfigureAwait(false);
                await RecordAsync(run, result).ConfigureAwait(false);
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

    /// <summary>Gives a claimed execution back to the waiting state after a resume that could not start.</summary>
    private static Task<int> ReleaseAsync(AppDbContext db, Guid id) =>
        db.Executions.Where(e => e.Id == id && e.Status == ExecutionStatus.Running)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.Status, ExecutionStatus.Waiting), CancellationToken.None);

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

    private async Task RecordAsync(PreparedRun run, ExecutionResult result)
    {
        bool startWritten;
        lock (run.Gate)
        {
            run.Ended = true;
            startWritten = run.StartWritten;
        }

        var entry = new ExecutionEntry(run.Id, run.Owner, result.Record) { AlreadyRecorded = startWritten };
        if (result.IsWaiting)
        {
            var state = new SuspendedRun(WorkflowFile.Write(run.Document), run.DraftRevision, result.SaveState());
            entry = entry with { SuspendedState = _state.Protect(JsonSerializer.Serialize(state, Json)) };
        }

        // Not the run's token: a cancelled run must still be recorded. A waiting run is stored before its
        // resume token is handed out.
        await recorder.RecordAsync(entry, run.Policy, untilStored: result.IsWaiting, CancellationToken.None).ConfigureAwait(false);
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
    }

    /// <summary>What a waiting run's row keeps (protected): the exact document it runs, and the engine's saved state.</summary>
    private sealed record SuspendedRun(string Document, int DraftRevision, string State);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Execution {ExecutionId} could not be resumed")]
        public static partial void ResumeFailed(ILogger logger, Exception exception, Guid executionId);
    }
}
