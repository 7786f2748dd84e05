using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Plexus.Persistence;
using Plexus.Persistence.Model;
using Plexus.Server.Tests.Support;

namespace Plexus.Server.Tests.Storage;

/// <summary>Rows written by <see cref="RowInserts"/> read back through the model exactly as written; on each database.</summary>
public abstract class RowInsertsSpec<TServer>(TServer server) : IClassFixture<TServer> where TServer : PlexusServer
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Plain_inserts_store_every_column_as_the_model_reads_it()
    {
        if (server.SkipReason is { } reason)
        {
            Assert.Skip(reason);
        }

        var at = new DateTimeOffset(2026, 11, 24, 7, 30, 1, TimeSpan.Zero).AddMilliseconds(123); // SQLite keeps milliseconds, PostgreSQL microseconds
        var full = new ExecutionRow
        {
            Id = Guid.CreateVersion7(), OrganizationId = Guid.NewGuid(), ProjectId = Guid.NewGuid(), WorkflowId = Guid.NewGuid(),
            Version = 7, Stage = "prod", Status = "failed", Trigger = """{"a":"é ✓"}""", Result = "null", Error = """{"message":"x"}""",
            CorrelationId = "corr-1", StartedAt = at, EndedAt = at.AddMilliseconds(5), SuspendedState = "state",
        };
        var bare = new ExecutionRow
        {
            Id = Guid.CreateVersion7(), OrganizationId = full.OrganizationId, ProjectId = full.ProjectId, WorkflowId = full.WorkflowId,
            Stage = "dev", Status = "running", StartedAt = at,
        };
        var nodeRun = new NodeRunRow
        {
            OrganizationId = full.OrganizationId, ExecutionId = full.Id, Sequence = 3, NodeId = "reply", Type = "http.response",
            Status = "succeeded", Attempts = 2, StartedAt = at, EndedAt = at.AddTicks(10), DurationMs = 0.125, Input = "{}",
            InputTruncated = true, Output = "[1]", OutputTruncated = true, Error = null, Port = "out", Scope = "loop[2]", Pinned = true,
            Logs = """["hi"]""", ResumeTokenHash = "abc",
        };

        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        await using (var transaction = await db.Database.BeginTransactionAsync(Ct))
        {
            await RowInserts.InsertAsync(db, [full, bare], Ct);
            await RowInserts.InsertAsync(db, [nodeRun], Ct);
            await transaction.CommitAsync(Ct);
        }

        // The same rows through the change tracker, under other ids: both must read back alike.
        var tracked = new[] { Copy(full), Copy(bare) };
        var trackedRun = Copy(nodeRun, tracked[0].Id);
        db.Executions.AddRange(tracked);
        db.NodeRuns.Add(trackedRun);
        await db.SaveChangesAsync(Ct);
        db.ChangeTracker.Clear();

        async Task<(object Full, object Bare, object NodeRun)> ReadAsync(Guid fullId, Guid bareId)
        {
            var rows = await db.Executions.AsNoTracking().Where(e => e.Id == fullId || e.Id == bareId).ToListAsync(Ct);
            var run = await db.NodeRuns.AsNoTracking().SingleAsync(n => n.ExecutionId == fullId, Ct);
            return (WithoutKey(rows.Single(r => r.Id == fullId)), WithoutKey(rows.Single(r => r.Id == bareId)), WithoutKey(run));
        }

        var inserted = await ReadAsync(full.Id, bare.Id);
        var saved = await ReadAsync(tracked[0].Id, tracked[1].Id);
        Assert.Equivalent(saved, inserted, strict: true);
        Assert.Equivalent(WithoutKey(full), inserted.Full, strict: true);
        Assert.Equal("loop[2]", ((dynamic)inserted.NodeRun).Scope);

        // Range queries on times work on what was inserted (SQLite stores them as sortable numbers).
        Assert.Equal(4, await db.Executions.CountAsync(e => e.OrganizationId == full.OrganizationId && e.StartedAt >= at && e.StartedAt <= at, Ct));
    }

    internal static ExecutionRow Copy(ExecutionRow e) => new()
    {
        Id = Guid.CreateVersion7(), OrganizationId = e.OrganizationId, ProjectId = e.ProjectId, WorkflowId = e.WorkflowId, Version = e.Version,
        Stage = e.Stage, Status = e.Status, Trigger = e.Trigger, Result = e.Result, Error = e.Error, CorrelationId = e.CorrelationId,
        StartedAt = e.StartedAt, EndedAt = e.EndedAt, SuspendedState = e.SuspendedState,
    };

    internal static NodeRunRow Copy(NodeRunRow n, Guid executionId) => new()
    {
        OrganizationId = n.OrganizationId, ExecutionId = executionId, Sequence = n.Sequence, NodeId = n.NodeId, Type = n.Type, Status = n.Status,
        Attempts = n.Attempts, StartedAt = n.StartedAt, EndedAt = n.EndedAt, DurationMs = n.DurationMs, Input = n.Input,
        InputTruncated = n.InputTruncated, Output = n.Output, OutputTruncated = n.OutputTruncated, Error = n.Error, Port = n.Port,
        Scope = n.Scope, Pinned = n.Pinned, Logs = n.Logs, ResumeTokenHash = n.ResumeTokenHash,
    };

    internal static object WithoutKey(ExecutionRow e) => new
    {
        e.OrganizationId, e.ProjectId, e.WorkflowId, e.Version, e.Stage, e.Status, e.Trigger, e.Result, e.Error, e.CorrelationId,
        e.StartedAt, e.EndedAt, e.SuspendedState,
    };

    internal static object WithoutKey(NodeRunRow n) => new
    {
        n.OrganizationId, n.Sequence, n.NodeId, n.Type, n.Status, n.Attempts, n.StartedAt, n.EndedAt, n.DurationMs,
        n.Input, n.InputTruncated, n.Output, n.OutputTruncated, n.Error, n.Port, n.Scope, n.Pinned, n.Logs, n.ResumeTokenHash,
    };
}

public sealed class RowInsertsOnSqlite(SqliteServer server) : RowInsertsSpec<SqliteServer>(server);

public sealed class RowInsertsOnPostgres(PostgresServer server) : RowInsertsSpec<PostgresServer>(server);

/// <summary>
/// PostgreSQL's batched inserts (<see cref="RowInserts.AddTo{T}"/>): what the queue uses to write a run in one round
/// trip. They store rows as the plain inserts do, all or nothing with the rest of the batch, and past the limit of
/// parameters of one statement.
/// </summary>
public sealed class RowInsertBatchesOnPostgres(PostgresServer server) : IClassFixture<PostgresServer>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_batch_stores_rows_as_plain_inserts_do()
    {
        Assert.SkipWhen(server.SkipReason is not null, server.SkipReason ?? "");
        var at = new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero).AddTicks(1_234_560);
        var full = new ExecutionRow
        {
            Id = Guid.CreateVersion7(), OrganizationId = Guid.NewGuid(), ProjectId = Guid.NewGuid(), WorkflowId = Guid.NewGuid(),
            Version = 3, Stage = "prod", Status = "queued", Trigger = """{"b":"ü ✓"}""", Result = "[1]", Error = """{"message":"y"}""",
            CorrelationId = "corr-2", StartedAt = at, EndedAt = at.AddMilliseconds(7), SuspendedState = "state",
        };
        var bare = new ExecutionRow { Id = Guid.CreateVersion7(), OrganizationId = full.OrganizationId, ProjectId = full.ProjectId,
            WorkflowId = full.WorkflowId, Stage = "dev", Status = "queued", StartedAt = at };
        var nodeRun = new NodeRunRow
        {
            OrganizationId = full.OrganizationId, ExecutionId = full.Id, Sequence = 1, NodeId = "n", Type = "flow.return", Status = "succeeded",
            Attempts = 1, StartedAt = at, EndedAt = at, DurationMs = 0.5, Input = "{}", Output = "2", Port = "out", Logs = "[]",
        };

        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        await db.Database.OpenConnectionAsync(Ct);
        await using (var batch = db.Database.GetDbConnection().CreateBatch())
        {
            RowInserts.AddTo(db, batch, [full, bare]);
            RowInserts.AddTo(db, batch, [nodeRun]);
            Assert.Equal(2, batch.BatchCommands.Count);
            await batch.ExecuteNonQueryAsync(Ct);
        }

        var copies = new[] { RowInsertsSpec<PostgresServer>.Copy(full), RowInsertsSpec<PostgresServer>.Copy(bare) };
        await RowInserts.InsertAsync(db, copies, Ct);
        await RowInserts.InsertAsync(db, [RowInsertsSpec<PostgresServer>.Copy(nodeRun, copies[0].Id)], Ct);

        var rows = await db.Executions.AsNoTracking().Where(e => e.OrganizationId == full.OrganizationId).ToDictionaryAsync(e => e.Id, Ct);
        Assert.Equivalent(RowInsertsSpec<PostgresServer>.WithoutKey(full), RowInsertsSpec<PostgresServer>.WithoutKey(rows[full.Id]), strict: true);
        Assert.Equivalent(RowInsertsSpec<PostgresServer>.WithoutKey(rows[copies[0].Id]), RowInsertsSpec<PostgresServer>.WithoutKey(rows[full.Id]), strict: true);
        Assert.Equivalent(RowInsertsSpec<PostgresServer>.WithoutKey(rows[copies[1].Id]), RowInsertsSpec<PostgresServer>.WithoutKey(rows[bare.Id]), strict: true);
        var runs = await db.NodeRuns.AsNoTracking().Where(n => n.OrganizationId == full.OrganizationId).ToListAsync(Ct);
        Assert.Equivalent(RowInsertsSpec<PostgresServer>.WithoutKey(runs.Single(n => n.ExecutionId == copies[0].Id)),
            RowInsertsSpec<PostgresServer>.WithoutKey(runs.Single(n => n.ExecutionId == full.Id)), strict: true);
    }

    [Fact]
    public async Task A_batch_is_all_or_nothing()
    {
        Assert.SkipWhen(server.SkipReason is not null, server.SkipReason ?? "");
        var organization = Guid.NewGuid();
        ExecutionRow Row(Guid id) => new() { Id = id, OrganizationId = organization, ProjectId = organization, WorkflowId = organization,
            Stage = "prod", Status = "queued", StartedAt = DateTimeOffset.UtcNow };
        var taken = Guid.CreateVersion7();

        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        await db.Database.OpenConnectionAsync(Ct);
        await RowInserts.InsertAsync(db, [Row(taken)], Ct);
        await using (var batch = db.Database.GetDbConnection().CreateBatch())
        {
            RowInserts.AddTo(db, batch, [Row(Guid.CreateVersion7()), Row(Guid.CreateVersion7())]);
            RowInserts.AddTo(db, batch, [Row(taken)]); // the second statement breaks the primary key
            await Assert.ThrowsAsync<Npgsql.PostgresException>(() => batch.ExecuteNonQueryAsync(Ct));
        }

        Assert.Equal(1, await db.Executions.CountAsync(e => e.OrganizationId == organization, Ct));
    }

    [Fact]
    public async Task Rows_past_one_statements_parameters_go_in_several_statements()
    {
        Assert.SkipWhen(server.SkipReason is not null, server.SkipReason ?? "");
        var organization = Guid.NewGuid();
        var rows = Enumerable.Range(0, 9_000).Select(i => new QueuedRunRow
        {
            Id = Guid.CreateVersion7(), OrganizationId = organization, ProjectId = organization, WorkflowId = organization, Kind = "start",
            Payload = i.ToString(System.Globalization.CultureInfo.InvariantCulture), EnqueuedAt = DateTimeOffset.UtcNow,
            AvailableAt = DateTimeOffset.UtcNow.AddDays(1), // never claimed by the server's own workers
        }).ToList();

        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        await db.Database.OpenConnectionAsync(Ct);
        await using (var batch = db.Database.GetDbConnection().CreateBatch())
        {
            RowInserts.AddTo(db, batch, rows);
            Assert.True(batch.BatchCommands.Count > 1, $"{rows.Count} rows of 10 columns fit in one statement of at most 65,535 parameters?");
            await batch.ExecuteNonQueryAsync(Ct);
        }

        var stored = await db.QueuedRuns.Where(q => q.OrganizationId == organization).Select(q => q.Payload).ToListAsync(Ct);
        Assert.Equal(rows.Select(r => r.Payload).Order(StringComparer.Ordinal), stored.Order(StringComparer.Ordinal));
        await db.QueuedRuns.Where(q => q.OrganizationId == organization).ExecuteDeleteAsync(Ct);
    }
}
