using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Plexus.Engine.Workflows;
using Plexus.Persistence;
using Plexus.Persistence.Model;
using Plexus.Server.Features.Executions;
using Plexus.Server.Infrastructure.ExecutionStore;

namespace Plexus.Server.Features.Queue;

/// <summary>
/// Handles outbox messages after the transactions that wrote them: an <c>execution.failed</c> queues a run of the
/// project's error workflow (the version published on the failed run's stage) with the failure's details. The run is
/// queued and the message deleted in one transaction, so each failure starts the error workflow once. Replicas take
/// messages with <c>FOR UPDATE SKIP LOCKED</c> and a lock time; a message whose holder died is taken over after it.
/// </summary>
public sealed partial class OutboxDispatcher(
    ExecutionRunner runner,
    QueueStore store,
    QueueSignal signal,
    QueuedWorkCodec codec,
    IServiceScopeFactory scopes,
    IOptions<QueueOptions> options,
    TimeProvider time,
    ILogger<OutboxDispatcher> logger) : BackgroundService
{
    private const int Batch = 32;
    private const int MaxAttempts = 5;
    private static readonly TimeSpan LockTime = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var handled = 0;
                try
                {
                    handled = await DispatchAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    Log.DispatchFailed(logger, exception);
                }

                if (handled < Batch)
                {
                    await signal.Outbox.WaitAsync(options.Value.IdleCheck, time, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task<int> DispatchAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var messages = await ClaimAsync(db, cancellationToken).ConfigureAwait(false);
        foreach (var message in messages)
        {
            db.ChangeTracker.Clear();
            if (message.Attempts > MaxAttempts)
            {
                Log.GaveUp(logger, message.Id, message.Topic);
                await db.OutboxMessages.Where(m => m.Id == message.Id).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (message.Topic == ErrorEvents.FailedTopic && ErrorEvents.Read(message.Payload) is { } failed)
            {
                await StartErrorWorkflowAsync(db, message, failed, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                Log.Unknown(logger, message.Id, message.Topic);
                await db.OutboxMessages.Where(m => m.Id == message.Id).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        return messages.Count;
    }

    private async Task<List<OutboxMessageRow>> ClaimAsync(AppDbContext db, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var until = now + LockTime;
        if (store.IsPostgres)
        {
            return await db.OutboxMessages.FromSql($"""
                WITH picked AS MATERIALIZED (
                    SELECT "Id" FROM "OutboxMessages" WHERE "LockedUntil" IS NULL OR "LockedUntil" < {now}
                    ORDER BY "Id" LIMIT {Batch} FOR UPDATE SKIP LOCKED)
                UPDATE "OutboxMessages" m SET "LockedUntil" = {until}, "Attempts" = m."Attempts" + 1
                FROM picked WHERE m."Id" = picked."Id"
                RETURNING m.*
                """).AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var ids = await db.OutboxMessages.Where(m => m.LockedUntil == null || m.LockedUntil < now).OrderBy(m => m.Id).Select(m => m.Id).Take(Batch)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        if (ids.Count == 0)
        {
            return [];
        }

        await db.OutboxMessages.Where(m => ids.Contains(m.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.LockedUntil, until).SetProperty(m => m.Attempts, m => m.Attempts + 1), cancellationToken)
            .ConfigureAwait(false);
        var claimed = await db.OutboxMessages.AsNoTracking().Where(m => ids.Contains(m.Id)).ToListAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return claimed;
    }

    private async Task StartErrorWorkflowAsync(AppDbContext db, OutboxMessageRow message, FailedExecution failed, CancellationToken cancellationToken)
    {
        var errorWorkflowId = await db.Projects.Where(p => p.Id == failed.ProjectId).Select(p => p.ErrorWorkflowId)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        var target = errorWorkflowId is { } id && id != failed.WorkflowId
            ? await (
                from p in db.Publications.AsNoTracking()
                join w in db.Workflows.AsNoTracking() on p.WorkflowId equals w.Id
                join s in db.Stages.AsNoTracking() on p.StageId equals s.Id
                join v in db.WorkflowVersions.AsNoTracking() on new { p.WorkflowId, Number = p.Version } equals new { v.WorkflowId, v.Number }
                where p.WorkflowId == id && w.ProjectId == failed.ProjectId && s.Name == failed.Stage
                select new { Workflow = w, p.Version, v.Document }).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false)
            : null;
        var document = target is null ? null : WorkflowFile.Parse(target.Document).Document;
        if (target is null || document is null)
        {
            // No error workflow, the failed run is the error workflow's own (no loops), or it is not published on that stage.
            if (errorWorkflowId is not null && errorWorkflowId != failed.WorkflowId)
            {
                Log.NotPublished(logger, failed.Id, failed.Stage);
            }

            await db.OutboxMessages.Where(m => m.Id == message.Id).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        var name = failed.Workflow ?? await db.Workflows.Where(w => w.Id == failed.WorkflowId).Select(w => w.Name)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var start = new RunStart
        {
            Workflow = target.Workflow,
            Document = document,
            Version = target.Version,
            Stage = failed.Stage,
            Input = ErrorEvents.Input(failed with { Workflow = name }),
            CorrelationId = failed.CorrelationId,
            ExecutionId = Guid.CreateVersion7(now),
        };
        if (runner.Check(start) is { } refused)
        {
            Log.Refused(logger, failed.Id, refused.Problems.Count > 0 ? refused.Problems[0].Message : refused.Detail);
            await db.OutboxMessages.Where(m => m.Id == message.Id).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        var work = new QueuedWork { Stage = start.Stage, Version = start.Version, Input = start.Input, CorrelationId = start.CorrelationId };
        var owner = new ExecutionOwner(target.Workflow.OrganizationId, target.Workflow.ProjectId, target.Workflow.Id, target.Version);
        var (execution, item) = QueueRows.Start(start.ExecutionId!.Value, owner, work, codec.Write(work), now, now);
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
        {
            var deleted = await db.OutboxMessages.Where(m => m.Id == message.Id).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            if (deleted == 0)
            {
                return; // another replica took it over and handled it
            }

            await RowInserts.InsertAsync(db, [execution], cancellationToken).ConfigureAwait(false);
            await RowInserts.InsertAsync(db, [item], cancellationToken).ConfigureAwait(false);
            await store.NotifyAsync(db, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        Log.Started(logger, execution.Id, failed.Id);
        signal.Runs.Set();
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Dispatching outbox messages failed; trying again")]
        public static partial void DispatchFailed(ILogger logger, Exception exception);

        [LoggerMessage(Level = LogLevel.Error, Message = "Outbox message {MessageId} ({Topic}) failed too often; dropped")]
        public static partial void GaveUp(ILogger logger, long messageId, string topic);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox message {MessageId} has an unknown topic {Topic}; dropped")]
        public static partial void Unknown(ILogger logger, long messageId, string topic);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Execution {ExecutionId} failed; the project's error workflow is not published on stage {Stage}")]
        public static partial void NotPublished(ILogger logger, Guid executionId, string stage);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Execution {ExecutionId} failed; the project's error workflow cannot run: {Reason}")]
        public static partial void Refused(ILogger logger, Guid executionId, string? reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "Error workflow run {ErrorExecutionId} queued for failed execution {ExecutionId}")]
        public static partial void Started(ILogger logger, Guid errorExecutionId, Guid executionId);
    }
}
