using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Plexus.Engine.Execution;
using Plexus.Persistence;
using Plexus.Persistence.Model;
using Plexus.Server.Features.Executions;
using Plexus.Server.Features.Queue;

namespace Plexus.Server.Infrastructure.ExecutionStore;

/// <summary>Whose execution a record is.</summary>
/// <param name="Version">The version run, or null for a draft run.</param>
public sealed record ExecutionOwner(Guid OrganizationId, Guid ProjectId, Guid WorkflowId, int? Version);

/// <summary>One state of an execution to store.</summary>
public sealed record ExecutionEntry(Guid Id, ExecutionOwner Owner, ExecutionRecord Record)
{
    /// <summary>A waiting run's saved state, already protected; null for any other status.</summary>
    public string? SuspendedState { get; init; }

    /// <summary>Whether an earlier state of this execution was recorded (its start, or a wait): it is then updated, or deleted.</summary>
    public bool AlreadyRecorded { get; init; }

    /// <summary>Queue and outbox rows written in the same transaction as this state, whatever the save policy keeps.</summary>
    public RecordEffects? Effects { get; init; }
}

/// <summary>
/// What an execution's new state causes, written atomically with it: the queue item that ran it is done (or becomes a
/// timer's resume), a retry is queued, an event goes to the outbox. A crash leaves either the old state with its item
/// (so the run is claimed again) or the new state with all of these, never half.
/// </summary>
public sealed record RecordEffects
{
    /// <summary>The queue item (the execution's id) whose run this state ends; deleted.</summary>
    public bool CompletesItem { get; init; }

    /// <summary>Inserted after the completed item is deleted: the execution's next item (a timer's resume).</summary>
    public QueuedRunRow? NextItem { get; init; }

    /// <summary>Other executions queued by this state (a retry), with their items.</summary>
    public IReadOnlyList<(ExecutionRow Execution, QueuedRunRow Item)> Queued { get; init; } = [];

    public IReadOnlyList<OutboxMessageRow> Messages { get; init; } = [];

    public static RecordEffects? Combine(RecordEffects? earlier, RecordEffects? later) =>
        earlier is null ? later
        : later is null ? earlier
        : new RecordEffects
        {
            CompletesItem = earlier.CompletesItem || later.CompletesItem,
            NextItem = later.CompletesItem ? later.NextItem : earlier.NextItem ?? later.NextItem,
            Queued = [.. earlier.Queued, .. later.Queued],
            Messages = [.. earlier.Messages, .. later.Messages],
        };
}

/// <summary>
/// Writes execution records off the run path: runs queue them in a bounded channel without waiting for the database
/// (a full queue makes them wait, nothing is dropped), and this service writes what is queued in batches, one
/// <c>SaveChanges</c> and one DbContext per batch. Batches form while the previous one is being written, so a quiet
/// server writes each record at once and a busy one writes many together. Stopping the host drains the queue.
/// </summary>
/// <remarks>
/// Writes are upserts by execution id: the execution row is inserted or updated, and its node runs are replaced by
/// those of the latest record (a record always carries every node run so far). Several states of one execution in a
/// batch are written once, as the latest.
/// </remarks>
public sealed partial class ExecutionRecorder : BackgroundService
{
    private const int Attempts = 3;
    private readonly Channel<Write> _queue;
    private readonly IServiceScopeFactory _scopes;
    private readonly TimeProvider _time;
    private readonly ILogger<ExecutionRecorder> _logger;
    private readonly int _batchSize;
    private readonly CancellationTokenSource _abort = new();
    private readonly QueueStore _queueStore;
    private readonly QueueSignal _signal;

    public ExecutionRecorder(IOptions<ExecutionOptions> options, IServiceScopeFactory scopes, QueueStore queue, QueueSignal signal, TimeProvider time,
        ILogger<ExecutionRecorder> logger)
    {
        _queueStore = queue;
        _signal = signal;
        ArgumentNullException.ThrowIfNull(options);
        _queue = Channel.CreateBounded<Write>(new BoundedChannelOptions(options.Value.RecordQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _batchSize = options.Value.RecordBatchSize;
        _scopes = scopes;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// Records an execution's state as the workflow's <paramref name="savePolicy"/> says (see <see cref="SavePolicy"/>):
    /// queued for writing, or queued for deletion when an earlier state was written and this one is not kept.
    /// </summary>
    /// <param name="untilStored">Wait until the record is in the database, e.g. before handing out a resume token.</param>
    /// <returns>Whether the execution is stored (or about to be).</returns>
    public async ValueTask<bool> RecordAsync(ExecutionEntry entry, string savePolicy, bool untilStored, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var keep = SavePolicy.Keeps(savePolicy, entry.Record.Status);
        if (!keep && !entry.AlreadyRecorded && entry.Effects is null)
        {
            return false;
        }

        var write = new Write(entry.Id, keep ? entry : null, !entry.AlreadyRecorded,
            untilStored ? new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) : null)
        {
            Effects = entry.Effects,
        };
        await EnqueueAsync(write, cancellationToken).ConfigureAwait(false);
        if (write.Stored is { } stored)
        {
            await stored.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        return keep;
    }

    /// <summary>Records that an execution started, if the policy lists running executions. Returns whether it did.</summary>
    public async ValueTask<bool> RecordStartAsync(ExecutionEntry entry, string savePolicy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (!SavePolicy.RecordsStart(savePolicy))
        {
            return false;
        }

        await EnqueueAsync(new Write(entry.Id, entry, Fresh: true, null), cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Records that an execution started if the queue has room now (a start written late is not worth waiting for).</summary>
    public bool TryRecordStart(ExecutionEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return _queue.Writer.TryWrite(new Write(entry.Id, entry, Fresh: true, null));
    }

    /// <summary>Waits until every record queued so far is in the database (records are written in order), e.g. before answering with an execution that may be read back at once.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        // A write of nothing: it stores no row, and it completes once everything queued before it is written.
        var marker = new Write(Guid.Empty, null, Fresh: true, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        await EnqueueAsync(marker, cancellationToken).ConfigureAwait(false);
        await marker.Stored!.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask EnqueueAsync(Write write, CancellationToken cancellationToken)
    {
        if (_queue.Writer.TryWrite(write))
        {
            return;
        }

        try
        {
            await _queue.Writer.WriteAsync(write, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            Log.RecordAfterStop(_logger, write.Id);
            write.Stored?.TrySetResult();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // No more records are taken; what is queued is written before the service ends. Past the host's
        // shutdown timeout the rest is given up (and logged) rather than holding the process.
        _queue.Writer.TryComplete();
        using var giveUp = cancellationToken.Register(_abort.Cancel);
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        _abort.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = _queue.Reader;
        var batch = new List<Write>(_batchSize);

        // Ends when the queue is completed (StopAsync) and empty, not when stoppingToken fires: nothing queued is lost.
        while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            while (batch.Count < _batchSize && reader.TryRead(out var write))
            {
                batch.Add(write);
            }

            await WriteBatchAsync(batch, _abort.Token).ConfigureAwait(false);
            batch.Clear();
        }
    }

    private async Task WriteBatchAsync(List<Write> batch, CancellationToken cancellationToken)
    {
        // The latest state of each execution; it is new only if its first state in the batch was.
        var latest = new Dictionary<Guid, Write>(batch.Count);
        foreach (var write in batch)
        {
            latest[write.Id] = latest.TryGetValue(write.Id, out var earlier)
                ? write with { Fresh = earlier.Fresh, Effects = RecordEffects.Combine(earlier.Effects, write.Effects) }
                : write;
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await SaveAsync(latest.Values, cancellationToken).ConfigureAwait(false);
                Log.Wrote(_logger, batch.Count);
                break;
            }
            catch (Exception exception) when (attempt < Attempts && !cancellationToken.IsCancellationRequested)
            {
                Log.BatchFailed(_logger, exception, batch.Count, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), _time, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                Log.BatchLost(_logger, exception, batch.Count);
                break;
            }
        }

        foreach (var write in batch)
        {
            write.Stored?.TrySetResult();
        }
    }

    private async Task SaveAsync(IReadOnlyCollection<Write> writes, CancellationToken cancellationToken)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var known = writes.Where(w => !w.Fresh).Select(w => w.Id).ToList();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var existing = new Dictionary<Guid, ExecutionRow>();
        if (known.Count > 0)
        {
            await db.NodeRuns.Where(n => known.Contains(n.ExecutionId)).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            existing = await db.Executions.Where(e => known.Contains(e.Id)).ToDictionaryAsync(e => e.Id, cancellationToken).ConfigureAwait(false);
        }

        // New executions and every node run are plain inserts, without change tracking: the hot path of a busy
        // router. Updates (a run that was listed while running, or waited) and deletes go through the change tracker.
        var inserted = new List<ExecutionRow>(writes.Count);
        var nodeRuns = new List<NodeRunRow>(writes.Count * 4);
        var texts = ExecutionRows.NewTexts();
        foreach (var write in writes)
        {
            if (write.Entry is not { } entry)
            {
                if (existing.TryGetValue(write.Id, out var gone))
                {
                    db.Executions.Remove(gone);
                }

                continue;
            }

            if (!existing.TryGetValue(write.Id, out var row))
            {
                row = new ExecutionRow { Id = write.Id, Stage = "", Status = "" };
                if (write.Fresh)
                {
                    inserted.Add(row);
                }
                else
                {
                    db.Executions.Add(row); // its earlier state is gone (retention), so it is written anew
                }
            }

            var owner = entry.Owner;
            row.OrganizationId = owner.OrganizationId;
            row.ProjectId = owner.ProjectId;
            row.WorkflowId = owner.WorkflowId;
            row.Version = owner.Version;
            row.SuspendedState = entry.SuspendedState;
            texts.Clear();
            ExecutionRows.Fill(row, entry.Record, texts);
            foreach (var node in entry.Record.Nodes)
            {
                nodeRuns.Add(ExecutionRows.NodeRun(owner.OrganizationId, write.Id, node, texts));
            }
        }

        await RowInserts.InsertAsync(db, inserted, cancellationToken).ConfigureAwait(false);
        await RowInserts.InsertAsync(db, nodeRuns, cancellationToken).ConfigureAwait(false);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        var effects = await ApplyEffectsAsync(db, writes, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        if (effects.Queued)
        {
            _signal.Runs.Set();
        }

        if (effects.Messages)
        {
            _signal.Outbox.Set();
        }
    }

    private async Task<(bool Queued, bool Messages)> ApplyEffectsAsync(AppDbContext db, IReadOnlyCollection<Write> writes, CancellationToken cancellationToken)
    {
        var done = new List<Guid>();
        var items = new List<QueuedRunRow>();
        var executions = new List<ExecutionRow>();
        var messages = new List<OutboxMessageRow>();
        foreach (var write in writes)
        {
            if (write.Effects is not { } effects)
            {
                continue;
            }

            if (effects.CompletesItem)
            {
                done.Add(write.Id);
            }

            if (effects.NextItem is { } next)
            {
                items.Add(next);
            }

            foreach (var (execution, item) in effects.Queued)
            {
                executions.Add(execution);
                items.Add(item);
            }

            messages.AddRange(effects.Messages);
        }

        if (done.Count > 0)
        {
            await db.QueuedRuns.Where(q => done.Contains(q.Id)).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        }

        await RowInserts.InsertAsync(db, executions, cancellationToken).ConfigureAwait(false);
        await RowInserts.InsertAsync(db, items, cancellationToken).ConfigureAwait(false);
        await RowInserts.InsertAsync(db, messages, cancellationToken).ConfigureAwait(false);
        if (items.Count > 0 || messages.Count > 0)
        {
            await _queueStore.NotifyAsync(db, cancellationToken).ConfigureAwait(false);
        }

        return (items.Count > 0, messages.Count > 0);
    }

    /// <param name="Entry">What to store; null deletes the execution.</param>
    /// <param name="Fresh">No earlier state of the execution was written: a plain insert.</param>
    private sealed record Write(Guid Id, ExecutionEntry? Entry, bool Fresh, TaskCompletionSource? Stored)
    {
        public RecordEffects? Effects { get; init; }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Debug, Message = "Wrote {Count} execution records")]
        public static partial void Wrote(ILogger logger, int count);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Writing {Count} execution records failed (attempt {Attempt}); trying again")]
        public static partial void BatchFailed(ILogger logger, Exception exception, int count, int attempt);

        [LoggerMessage(Level = LogLevel.Error, Message = "Gave up writing {Count} execution records")]
        public static partial void BatchLost(ILogger logger, Exception exception, int count);

        [LoggerMessage(Level = LogLevel.Error, Message = "Execution {ExecutionId} not recorded: the recorder has stopped")]
        public static partial void RecordAfterStop(ILogger logger, Guid executionId);
    }
}
