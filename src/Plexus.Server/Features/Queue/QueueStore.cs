using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Plexus.Engine.Execution;
using Microsoft.Extensions.Options;
using Plexus.Persistence;
using Plexus.Persistence.Model;
using Plexus.Server.Infrastructure;

namespace Plexus.Server.Features.Queue;

/// <summary>
/// The queue's statements. PostgreSQL: claims take due rows with <c>FOR UPDATE SKIP LOCKED</c>, so replicas never wait
/// for or take each other's rows; a claim and the executions it starts change in one transaction; inserts
/// <c>NOTIFY plexus_queue</c> on commit. SQLite: the same statements under the process's write gate (one process).
/// </summary>
public sealed class QueueStore(IOptions<DatabaseOptions> database)
{
    public const string Channel = "plexus_queue";
    private readonly bool _postgres = database.Value.IsPostgres;

    public bool IsPostgres => _postgres;

    /// <summary>Inserts queued executions and their items in one transaction, and tells the other replicas on commit (PostgreSQL) when any item is theirs to take.</summary>
    public async Task InsertAsync(AppDbContext db, IReadOnlyCollection<ExecutionRow> executions, IReadOnlyCollection<QueuedRunRow> items,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (_postgres)
        {
            // One round trip: both inserts and the notification in one batch, which PostgreSQL runs as one implicit
            // transaction (all or nothing). Each 202 waits for it, so its round trips are the enqueue's latency.
            await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await using var batch = db.Database.GetDbConnection().CreateBatch();
                RowInserts.AddTo(db, batch, executions);
                RowInserts.AddTo(db, batch, items);
                if (items.Any(Claimable))
                {
                    var notify = batch.CreateBatchCommand();
                    notify.CommandText = NotifySql;
                    batch.BatchCommands.Add(notify);
                }

                await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await db.Database.CloseConnectionAsync().ConfigureAwait(false);
            }

            return;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await RowInserts.InsertAsync(db, executions, cancellationToken).ConfigureAwait(false);
        await RowInserts.InsertAsync(db, items, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Wakes the workers that listen on <see cref="Channel"/>, when the transaction it runs in commits.</summary>
    private const string NotifySql = $"SELECT pg_notify('{Channel}', '')";

    /// <summary>Whether other replicas may take the item now (one written leased to its writer is not worth waking them for).</summary>
    private static bool Claimable(QueuedRunRow item) => item.LeaseOwner is null;

    /// <summary>Within a transaction: tells the other replicas' workers, on commit, that there is work (PostgreSQL only).</summary>
    public async Task NotifyAsync(AppDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (_postgres)
        {
            await db.Database.ExecuteSqlRawAsync(NotifySql, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Claims up to <paramref name="count"/> due items, waiting ones and those whose lease expired, oldest due first;
    /// the executions of claimed starts become <c>running</c> in the same transaction. When fewer than asked were due,
    /// also says when the next item falls due by itself.
    /// </summary>
    public async Task<QueueClaim> ClaimAsync(AppDbContext db, string owner, int count, DateTimeOffset now, TimeSpan lease,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (_postgres)
        {
            return await ClaimOnPostgresAsync(db, owner, count, now, now + lease, cancellationToken).ConfigureAwait(false);
        }

        var until = now + lease;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var ids = await db.QueuedRuns.Where(q => q.AvailableAt <= now && (q.LeaseOwner == null || q.LeaseExpiresAt < now))
            .OrderBy(q => q.AvailableAt).Select(q => q.Id).Take(count).ToListAsync(cancellationToken).ConfigureAwait(false);
        List<QueuedRunRow> claimed = [];
        var started = new HashSet<Guid>();
        if (ids.Count > 0)
        {
            await db.QueuedRuns.Where(q => ids.Contains(q.Id)).ExecuteUpdateAsync(s => s
                .SetProperty(q => q.LeaseOwner, owner)
                .SetProperty(q => q.LeaseExpiresAt, until)
                .SetProperty(q => q.Deliveries, q => q.Deliveries + 1), cancellationToken).ConfigureAwait(false);
            claimed = await db.QueuedRuns.AsNoTracking().Where(q => ids.Contains(q.Id)).ToListAsync(cancellationToken).ConfigureAwait(false);
            var starts = claimed.Where(q => q.Kind == QueuedWork.StartKind).Select(q => q.Id).ToList();
            var queued = starts.Count == 0
                ? []
                : await db.Executions.Where(e => starts.Contains(e.Id) && e.Status == ExecutionStatus.Queued).Select(e => e.Id)
                    .ToListAsync(cancellationToken).ConfigureAwait(false);
            if (queued.Count > 0)
            {
                await db.Executions.Where(e => queued.Contains(e.Id))
                    .ExecuteUpdateAsync(s => s.SetProperty(e => e.Status, ExecutionStatus.Running), cancellationToken).ConfigureAwait(false);
                started.UnionWith(queued);
            }
        }

        var nextDue = claimed.Count < count ? await NextDueAsync(db, cancellationToken).ConfigureAwait(false) : null;
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new QueueClaim(claimed, started, nextDue);
    }

    /// <summary>
    /// The claim in one round trip: one statement takes the items (<c>FOR UPDATE SKIP LOCKED</c>, so replicas never wait
    /// for or take each other's) and starts their executions; a second in the same batch and implicit transaction reads
    /// the next due time. A claim happens each time a worker frees up, so its round trips bound the queue's throughput.
    /// The items are picked in a materialized CTE: as <c>UPDATE … WHERE "Id" IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)</c>
    /// PostgreSQL may evaluate the sub-select again (re-checking a row changed concurrently) and take more than n rows,
    /// more than there are free workers.
    /// </summary>
    private static async Task<QueueClaim> ClaimOnPostgresAsync(AppDbContext db, string owner, int count, DateTimeOffset now, DateTimeOffset until,
        CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var batch = db.Database.GetDbConnection().CreateBatch();
            var claim = batch.CreateBatchCommand();
            claim.CommandText = $"""
                WITH picked AS MATERIALIZED (
                    SELECT "Id" FROM "QueuedRuns"
                    WHERE "AvailableAt" <= @now AND ("LeaseOwner" IS NULL OR "LeaseExpiresAt" < @now)
                    ORDER BY "AvailableAt" LIMIT @count FOR UPDATE SKIP LOCKED),
                claimed AS (
                    UPDATE "QueuedRuns" q SET "LeaseOwner" = @owner, "LeaseExpiresAt" = @until, "Deliveries" = q."Deliveries" + 1
                    FROM picked WHERE q."Id" = picked."Id"
                    RETURNING q."Id", q."OrganizationId", q."ProjectId", q."WorkflowId", q."Kind", q."Payload", q."EnqueuedAt", q."AvailableAt", q."Deliveries"),
                started AS (
                    UPDATE "Executions" SET "Status" = '{ExecutionStatus.Running}'
                    WHERE "Id" IN (SELECT "Id" FROM claimed WHERE "Kind" = '{QueuedWork.StartKind}') AND "Status" = '{ExecutionStatus.Queued}'
                    RETURNING "Id")
                SELECT c.*, c."Id" IN (SELECT "Id" FROM started) FROM claimed c ORDER BY c."AvailableAt"
                """;
            claim.Parameters.Add(Parameter(claim, "owner", owner));
            claim.Parameters.Add(Parameter(claim, "until", until));
            claim.Parameters.Add(Parameter(claim, "now", now));
            claim.Parameters.Add(Parameter(claim, "count", count));
            batch.BatchCommands.Add(claim);
            // NextDueAsync's rule, in SQL so that it rides in the same round trip.
            var next = batch.CreateBatchCommand();
            next.CommandText = """
                SELECT LEAST(
                    (SELECT "AvailableAt" FROM "QueuedRuns" WHERE "LeaseOwner" IS NULL ORDER BY "AvailableAt" LIMIT 1),
                    (SELECT "LeaseExpiresAt" FROM "QueuedRuns" WHERE "LeaseOwner" IS NOT NULL ORDER BY "LeaseExpiresAt" LIMIT 1))
                """;
            batch.BatchCommands.Add(next);

            var claimed = new List<QueuedRunRow>(count);
            var started = new HashSet<Guid>();
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var item = new QueuedRunRow
                {
                    Id = reader.GetGuid(0),
                    OrganizationId = reader.GetGuid(1),
                    ProjectId = reader.GetGuid(2),
                    WorkflowId = reader.GetGuid(3),
                    Kind = reader.GetString(4),
                    Payload = reader.GetString(5),
                    EnqueuedAt = reader.GetFieldValue<DateTimeOffset>(6),
                    AvailableAt = reader.GetFieldValue<DateTimeOffset>(7),
                    Deliveries = reader.GetInt32(8),
                    LeaseOwner = owner,
                    LeaseExpiresAt = until,
                };
                claimed.Add(item);
                if (reader.GetBoolean(9))
                {
                    started.Add(item.Id);
                }
            }

            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            DateTimeOffset? nextDue = await reader.ReadAsync(cancellationToken).ConfigureAwait(false) && !await reader.IsDBNullAsync(0, cancellationToken).ConfigureAwait(false)
                ? reader.GetFieldValue<DateTimeOffset>(0)
                : null;
            return new QueueClaim(claimed, started, nextDue);
        }
        finally
        {
            await db.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }

    private static DbParameter Parameter(DbBatchCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        return parameter;
    }

    /// <summary>Renews the leases <paramref name="owner"/> holds on <paramref name="items"/>; returns how many.</summary>
    public Task<int> RenewAsync(AppDbContext db, string owner, IReadOnlyList<Guid> items, DateTimeOffset until, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.QueuedRuns.Where(q => q.LeaseOwner == owner && items.Contains(q.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(q => q.LeaseExpiresAt, until), cancellationToken);
    }

    /// <summary>Whether <paramref name="owner"/> holds the item of execution <paramref name="id"/>.</summary>
    public Task<bool> IsHeldByAsync(AppDbContext db, Guid id, string owner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.QueuedRuns.AnyAsync(q => q.Id == id && q.LeaseOwner == owner, cancellationToken);
    }

    /// <summary>Deletes the item of execution <paramref name="id"/> if <paramref name="owner"/> holds it (its run will not go on).</summary>
    public Task<int> DropAsync(AppDbContext db, Guid id, string owner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.QueuedRuns.Where(q => q.Id == id && q.LeaseOwner == owner).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>Gives an item back to the queue at once (its run stopped with the process, not by itself).</summary>
    public Task<int> ReleaseAsync(AppDbContext db, Guid id, string owner, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.QueuedRuns.Where(q => q.Id == id && q.LeaseOwner == owner).ExecuteUpdateAsync(s => s
            .SetProperty(q => q.LeaseOwner, (string?)null)
            .SetProperty(q => q.LeaseExpiresAt, (DateTimeOffset?)null)
            .SetProperty(q => q.AvailableAt, now), cancellationToken);
    }

    /// <summary>
    /// When the next item becomes claimable without anyone saying so: a timer or backoff falls due, or a lease expires.
    /// The PostgreSQL claim reads the same in SQL (<see cref="ClaimOnPostgresAsync"/>); a change here goes there too.
    /// </summary>
    public async Task<DateTimeOffset?> NextDueAsync(AppDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var waiting = await db.QueuedRuns.Where(q => q.LeaseOwner == null).OrderBy(q => q.AvailableAt).Select(q => (DateTimeOffset?)q.AvailableAt)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        var leased = await db.QueuedRuns.Where(q => q.LeaseOwner != null).OrderBy(q => q.LeaseExpiresAt).Select(q => q.LeaseExpiresAt)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return waiting is null ? leased : leased is null ? waiting : waiting < leased ? waiting : leased;
    }

    /// <summary>How many items are due and unclaimed, and how long the oldest of them has been due.</summary>
    public async Task<QueueDepth> DepthAsync(AppDbContext db, Guid? organizationId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var due = db.QueuedRuns.Where(q => q.AvailableAt <= now && (q.LeaseOwner == null || q.LeaseExpiresAt < now));
        var held = db.QueuedRuns.Where(q => q.LeaseOwner != null && q.LeaseExpiresAt >= now);
        var later = db.QueuedRuns.Where(q => q.LeaseOwner == null && q.AvailableAt > now);
        if (organizationId is { } org)
        {
            due = due.Where(q => q.OrganizationId == org);
            held = held.Where(q => q.OrganizationId == org);
            later = later.Where(q => q.OrganizationId == org);
        }

        var count = await due.CountAsync(cancellationToken).ConfigureAwait(false);
        var oldest = count == 0
            ? null
            : await due.OrderBy(q => q.AvailableAt).Select(q => (DateTimeOffset?)q.AvailableAt).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        var running = await held.CountAsync(cancellationToken).ConfigureAwait(false);
        var scheduled = await later.CountAsync(cancellationToken).ConfigureAwait(false);
        return new QueueDepth(count, oldest is null ? TimeSpan.Zero : now - oldest.Value, running, scheduled);
    }
}

/// <summary>What a claim took.</summary>
/// <param name="Items">The items, now leased to the claimant.</param>
/// <param name="Started">The starts whose executions this claim moved from queued to running (the others were cancelled
/// meanwhile, or are claimed again after their replica died).</param>
/// <param name="NextDue">When fewer items were due than asked for: when the next one falls due by itself (a timer, a
/// backoff, an expired lease), or null if none will.</param>
public sealed record QueueClaim(List<QueuedRunRow> Items, HashSet<Guid> Started, DateTimeOffset? NextDue);

/// <param name="Waiting">Items due and not held by a live lease.</param>
/// <param name="OldestAge">How long the one due longest has waited (since it was queued, or since its timer or backoff ended).</param>
/// <param name="Running">Items held by a replica now.</param>
/// <param name="Scheduled">Items due later: timers of waiting runs, retries in their backoff.</param>
public sealed record QueueDepth(int Waiting, TimeSpan OldestAge, int Running, int Scheduled);
