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

    private static ExecutionRow Copy(ExecutionRow e) => new()
    {
        Id = Guid.CreateVersion7(), OrganizationId = e.OrganizationId, ProjectId = e.ProjectId, WorkflowId = e.WorkflowId, Version = e.Version,
        Stage = e.Stage, Status = e.Status, Trigger = e.Trigger, Result = e.Result, Error = e.Error, CorrelationId = e.CorrelationId,
        StartedAt = e.StartedAt, EndedAt = e.EndedAt, SuspendedState = e.SuspendedState,
    };

    private static NodeRunRow Copy(NodeRunRow n, Guid executionId) => new()
    {
        OrganizationId = n.OrganizationId, ExecutionId = executionId, Sequence = n.Sequence, NodeId = n.NodeId, Type = n.Type, Status = n.Status,
        Attempts = n.Attempts, StartedAt = n.StartedAt, EndedAt = n.EndedAt, DurationMs = n.DurationMs, Input = n.Input,
        InputTruncated = n.InputTruncated, Output = n.Output, OutputTruncated = n.OutputTruncated, Error = n.Error, Port = n.Port,
        Scope = n.Scope, Pinned = n.Pinned, Logs = n.Logs, ResumeTokenHash = n.ResumeTokenHash,
    };

    private static object WithoutKey(ExecutionRow e) => new
    {
        e.OrganizationId, e.ProjectId, e.WorkflowId, e.Version, e.Stage, e.Status, e.Trigger, e.Result, e.Error, e.CorrelationId,
        e.StartedAt, e.EndedAt, e.SuspendedState,
    };

    private static object WithoutKey(NodeRunRow n) => new
    {
        n.OrganizationId, n.Sequence, n.NodeId, n.Type, n.Status, n.Attempts, n.StartedAt, n.EndedAt, n.DurationMs,
        n.Input, n.InputTruncated, n.Output, n.OutputTruncated, n.Error, n.Port, n.Scope, n.Pinned, n.Logs, n.ResumeTokenHash,
    };
}

public sealed class RowInsertsOnSqlite(SqliteServer server) : RowInsertsSpec<SqliteServer>(server);

public sealed class RowInsertsOnPostgres(PostgresServer server) : RowInsertsSpec<PostgresServer>(server);
