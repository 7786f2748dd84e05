using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Plexus.Persistence;
using Plexus.Persistence.Model;
using Plexus.Server.Features.Executions;
using Plexus.Server.Infrastructure.ExecutionStore;

namespace Plexus.Server.Features.Queue;

/// <summary>
/// Puts runs in the durable queue: schedules, 202 routes and API runs without <c>wait</c>. A run is checked first (an
/// invalid workflow is refused, not queued), then its execution (listed as <c>queued</c>) and its item are written in
/// one transaction before the caller is answered, so nothing accepted is lost. A full queue refuses with a time to
/// come back.
/// </summary>
public sealed class RunQueue(
    ExecutionRunner runner,
    QueueWorkers workers,
    QueueStore store,
    QueueSignal signal,
    QueuedWorkCodec codec,
    QueueReplica replica,
    IServiceScopeFactory scopes,
    IOptions<QueueOptions> options,
    TimeProvider time) : IDisposable
{
    /// <summary>How often the shared count of waiting items is read again while the estimate says there is room.</summary>
    private static readonly TimeSpan CountRefresh = TimeSpan.FromSeconds(1);

    private const int MaxBatch = 512;
    private readonly System.Collections.Concurrent.ConcurrentQueue<PendingInsert> _pending = new();
    private int _writing;
    private readonly Lock _gate = new();
    private int _counted;
    private int _acceptedSince;
    private long _countedAt;

    /// <summary>How many counts were made: a caller that waited for one made meanwhile decides on it.</summary>
    private long _counts;

    /// <summary>Writes of admitted runs not committed yet (under <see cref="_gate"/>): a count waits for them.</summary>
    private readonly HashSet<Task> _inFlight = [];
    private long _admitted;
    private readonly SemaphoreSlim _recount = new(1, 1);

    /// <summary>Queues the run for any replica's workers: <see cref="ExecutionOutcomeKind.Queued"/>, or refused (invalid, queue full).</summary>
    public async Task<ExecutionOutcome> EnqueueAsync(RunStart start, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(start);
        var id = start.ExecutionId ?? Guid.CreateVersion7(time.GetUtcNow());
        if (runner.Check(start with { ExecutionId = id }) is { } refused)
        {
            return refused;
        }

        if (!await AdmitAsync(cancellationToken).ConfigureAwait(false))
        {
            return new ExecutionOutcome(ExecutionOutcomeKind.QueueFull, id) { RetryAfter = options.Value.RetryAfter };
        }

        var (execution, item) = Rows(start, id);
        if (!workers.TryReserve())
        {
            await InsertAsync(execution, item, admitted: true, cancellationToken).ConfigureAwait(false);
            signal.Runs.Set();
            return new ExecutionOutcome(ExecutionOutcomeKind.Queued, id);
        }

        // A worker here is free and nothing waits: the run is written leased here and starts once committed, as durable
        // as any queued run (another replica takes it over if this one dies). The write is waited for whatever the
        // caller does, so that a run committed for a caller who went away still starts on the worker it took.
        Lease(execution, item);
        try
        {
            await InsertAsync(execution, item, admitted: true, CancellationToken.None).ConfigureAwait(false);
        }
        catch
        {
            replica.Drop(id);
            workers.Unreserve();
            throw;
        }

        workers.RunReserved(item);
        return new ExecutionOutcome(ExecutionOutcomeKind.Queued, id);
    }

    /// <summary>
    /// Queues the run already claimed by this replica and runs it here at once (a schedule's firing, which lasts as
    /// long as its run so that the schedule's overlap policy holds): durable like any queued run, so another replica
    /// finishes it if this one dies. <see cref="ExecutionOutcome.Completion"/> ends when the run ends or waits.
    /// </summary>
    public async Task<ExecutionOutcome> StartHereAsync(RunStart start, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(start);
        var id = start.ExecutionId ?? Guid.CreateVersion7(time.GetUtcNow());
        if (runner.Check(start with { ExecutionId = id }) is { } refused)
        {
            return refused;
        }

        var (execution, item) = Rows(start, id);
        Lease(execution, item);
        try
        {
            await InsertAsync(execution, item, admitted: false, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            replica.Drop(id);
            throw;
        }

        var completion = Task.Run(async () =>
        {
            try
            {
                await runner.RunQueuedAsync(item, started: true, CancellationToken.None).ConfigureAwait(false);
                return new ExecutionOutcome(ExecutionOutcomeKind.Ran, id);
            }
            finally
            {
                replica.Drop(id);
            }
        }, CancellationToken.None);
        return new ExecutionOutcome(ExecutionOutcomeKind.Started, id) { Completion = completion };
    }

    /// <summary>
    /// Writes the run's rows, together with those of whoever else is queueing now: one transaction (and one
    /// notification) per batch, so a burst of 202s costs a few commits, not one each. Returns once they are committed.
    /// </summary>
    /// <param name="admitted">Whether the run took a place in the admission estimate (it is in flight until written).</param>
    private async Task InsertAsync(ExecutionRow execution, QueuedRunRow item, bool admitted, CancellationToken cancellationToken)
    {
        var pending = new PendingInsert(execution, item, admitted, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (admitted)
        {
            lock (_gate)
            {
                _inFlight.Add(pending.Written.Task);
            }
        }

        _pending.Enqueue(pending);
        if (Interlocked.CompareExchange(ref _writing, 1, 0) == 0)
        {
            _ = Task.Run(WriteBatchesAsync, CancellationToken.None);
        }

        // A caller that stops waiting does not take the batch down with it; its run may still be queued.
        await pending.Written.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteBatchesAsync()
    {
        var batch = new List<PendingInsert>(MaxBatch);
        while (true)
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _pending.TryDequeue(out var next))
            {
                batch.Add(next);
            }

            if (batch.Count == 0)
            {
                Volatile.Write(ref _writing, 0);
                // Something queued after the last look but before the flag dropped would wait for nobody: look again.
                if (_pending.IsEmpty || Interlocked.CompareExchange(ref _writing, 1, 0) != 0)
                {
                    return;
                }

                continue;
            }

            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
                await store.InsertAsync(db, [.. batch.Select(p => p.Execution)], [.. batch.Select(p => p.Item)], CancellationToken.None)
                    .ConfigureAwait(false);
                foreach (var pending in batch)
                {
                    pending.Written.TrySetResult();
                }

                Landed(batch);
            }
            catch (Exception exception)
            {
                // Broken infrastructure: every caller of the batch gets the failure (their runs are not queued).
                foreach (var pending in batch)
                {
                    pending.Written.TrySetException(exception);
                }

                Landed(batch);
            }
        }
    }

    /// <summary>A batch's writes are done (committed or failed): they are no longer in flight.</summary>
    private void Landed(List<PendingInsert> batch)
    {
        lock (_gate)
        {
            foreach (var pending in batch)
            {
                _inFlight.Remove(pending.Written.Task);
            }
        }
    }

    /// <summary>Makes the rows of a run that starts here at once: running, its item held by this replica and kept alive by its heartbeat.</summary>
    private void Lease(ExecutionRow execution, QueuedRunRow item)
    {
        execution.Status = Plexus.Engine.Execution.ExecutionStatus.Running;
        item.LeaseOwner = replica.Id;
        item.LeaseExpiresAt = item.EnqueuedAt + options.Value.LeaseDuration;
        item.Deliveries = 1;
        replica.Hold(item.Id);
    }

    private sealed record PendingInsert(ExecutionRow Execution, QueuedRunRow Item, bool Admitted, TaskCompletionSource Written);

    private (ExecutionRow Execution, QueuedRunRow Item) Rows(RunStart start, Guid id)
    {

        var workflow = start.Workflow;
        var document = start.Pinned is { } pinned ? start.Document with { Pinned = pinned } : start.Document;
        var work = new QueuedWork
        {
            Stage = start.Stage,
            Version = start.Version,
            Document = start.Version is null || start.Pinned is not null ? Plexus.Engine.Workflows.WorkflowFile.Write(document) : null,
            DraftRevision = workflow.DraftRevision,
            TriggerNodeId = start.TriggerNodeId,
            Input = start.Input?.DeepClone(),
            CorrelationId = start.CorrelationId,
            UsePinned = start.UsePinned || start.Pinned is not null,
            FromNode = start.FromNode,
            KnownOutputs = start.KnownOutputs is { } known ? new(known.Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone()))) : null,
            Live = start.Live,
        };
        var now = time.GetUtcNow();
        var owner = new ExecutionOwner(workflow.OrganizationId, workflow.ProjectId, workflow.Id, start.Version);
        return QueueRows.Start(id, owner, work, codec.Write(work), now, now);
    }

    /// <summary>
    /// Whether one more run fits. The count of waiting items is read at most once a second while the estimate (the
    /// last count plus what this replica queued since) is under capacity, and read again before refusing, so a
    /// refusal is never from a stale count. Other replicas' runs since the last count are not in the estimate: the
    /// capacity is exact to within one second of their intake.
    /// </summary>
    private async Task<bool> AdmitAsync(CancellationToken cancellationToken)
    {
        long generation;
        lock (_gate)
        {
            if (AdmittedOnEstimate())
            {
                return true;
            }

            generation = _counts;
        }

        // One count at a time: callers that waited while another counted decide on that count.
        await _recount.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_gate)
            {
                if (_counts != generation)
                {
                    return Accept();
                }
            }

            // Runs admitted but not written yet would be in the count or not, depending on timing: wait until they are
            // written, so the count holds each exactly once. Runs admitted meanwhile are added on top.
            Task[] writing;
            long admittedBefore;
            lock (_gate)
            {
                writing = [.. _inFlight];
                admittedBefore = _admitted;
            }

            await Task.WhenAll(writing).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default).WaitAsync(cancellationToken).ConfigureAwait(false);
            var counted = await CountAsync(cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                _counted = counted;
                _acceptedSince = (int)(_admitted - admittedBefore);
                _countedAt = time.GetTimestamp();
                _counts++;
                return Accept();
            }
        }
        finally
        {
            _recount.Release();
        }
    }

    /// <summary>Under <see cref="_gate"/>: takes a place while the last count is fresh and the estimate under capacity (else count again).</summary>
    private bool AdmittedOnEstimate() => _counts > 0 && time.GetElapsedTime(_countedAt) < CountRefresh && Accept();

    /// <summary>Under <see cref="_gate"/>: takes a place if the estimate has one.</summary>
    private bool Accept()
    {
        if (_counted + _acceptedSince >= options.Value.Capacity)
        {
            return false;
        }

        _acceptedSince++;
        _admitted++;
        return true;
    }

    private async Task<int> CountAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var now = time.GetUtcNow();
        return await db.QueuedRuns.CountAsync(q => q.AvailableAt <= now && q.LeaseOwner == null, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _recount.Dispose();
}
