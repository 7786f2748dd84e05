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

    /// <summary>Inserts queued executions and their items in one transaction, and tells the other replicas.</summary>
    public async Task InsertAsync(AppDbContext db, IReadOnlyCollection<ExecutionRow> executions, IReadOnlyCollection<QueuedRunRow> items,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await RowInserts.InsertAsync(db, executions, cancellationToken).ConfigureAwait(false);
        await RowInserts.InsertAsync(db, items, cancellationToken).ConfigureAwait(false);
        await NotifyAsync(db, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Within a transaction: tells the other replicas' workers, on commit, that there is work (PostgreSQL only).</summary>
    public async Task NotifyAsync(AppDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (_postgres)
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_notify({Channel}, '')", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Claims up to <paramref name="count"/> due items, waiting ones and those whose lease expired, oldest due first;
    /// the executions of claimed starts become <c>running</c> in the same transaction.
    /// </summary>
    /// <returns>The items, and the starts whose executions this claim moved from queued to running (the others were
    /// cancelled meanwhile, or are claimed again after their replica died).</returns>
    public async Task<(List<QueuedRunRow> Items, HashSet<Guid> Started)> ClaimAsync(AppDbContext db, string owner, int count, DateTimeOffset now,
        TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var until = now + lease;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        List<QueuedRunRow> claimed;
        if (_postgres)
        {
            claimed = await db.QueuedRuns.FromSql($"""
                UPDATE "QueuedRuns" SET "LeaseOwner" = {owner}, "LeaseExpiresAt" = {until}, "Deliveries" = "Deliveries" + 1
                WHERE "Id" IN (
                    SELECT "Id" FROM "QueuedRuns"
                    WHERE "AvailableAt" <= {now} AND ("LeaseOwner" IS NULL OR "LeaseExpiresAt" < {now})
                    ORDER BY "AvailableAt" LIMIT {count} FOR UPDATE SKIP LOCKED)
                RETURNING *
                """).AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var ids = await db.QueuedRuns.Where(q => q.AvailableAt <= now && (q.LeaseOwner == null || q.LeaseExpiresAt < now))
                .OrderBy(q => q.AvailableAt).Select(q => q.Id).Take(count).ToListAsync(cancellationToken).ConfigureAwait(false);
            if (ids.Count > 0)
            {
                await db.QueuedRuns.Where(q => ids.Contains(q.Id)).ExecuteUpdateAsync(s => s
                    .SetProperty(q => q.LeaseOwner, owner)
                    .SetProperty(q => q.LeaseExpiresAt, until)
                    .SetProperty(q => q.Deliveries, q => q.Deliveries + 1), cancellationToken).ConfigureAwait(false);
            }

            claimed = ids.Count == 0
                ? []
                : await db.QueuedRuns.AsNoTracking().Where(q => ids.Contains(q.Id)).ToListAsync(cancellationToken).ConfigureAwait(false);
        }

        var starts = claimed.Where(q => q.Kind == QueuedWork.StartKind).Select(q => q.Id).ToList();
        var started = new HashSet<Guid>();
        if (starts.Count > 0)
        {
            var queued = await db.Executions.Where(e => starts.Contains(e.Id) && e.Status == ExecutionStatus.Queued).Select(e => e.Id)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            if (queued.Count > 0)
            {
                await db.Executions.Where(e => queued.Contains(e.Id) && e.Status == ExecutionStatus.Queued)
                    .ExecuteUpdateAsync(s => s.SetProperty(e => e.Status, ExecutionStatus.Running), cancellationToken).ConfigureAwait(false);
                started.UnionWith(queued);
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return (claimed, started);
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

    /// <summary>When the next item becomes claimable without anyone saying so: a timer or backoff falls due, or a lease expires.</summary>
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

/// <param name="Waiting">Items due and not held by a live lease.</param>
/// <param name="OldestAge">How long the one due longest has waited (since it was queued, or since its timer or backoff ended).</param>
/// <param name="Running">Items held by a replica now.</param>
/// <param name="Scheduled">Items due later: timers of waiting runs, retries in their backoff.</param>
public sealed record QueueDepth(int Waiting, TimeSpan OldestAge, int Running, int Scheduled);
