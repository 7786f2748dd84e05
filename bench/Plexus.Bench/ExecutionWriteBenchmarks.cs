using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Plexus.Persistence;
using Plexus.Persistence.Model;

namespace Plexus.Bench;

/// <summary>
/// Writing one batch of 256 greet-shaped executions (an execution row and three node runs each, values of the sizes a
/// greet request stores) into a SQLite file in WAL mode, in one transaction: through the change tracker, and as plain
/// inserts (<see cref="RowInserts"/>, what the server's recorder does). Divide by 256 for the cost per request.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, warmupCount: 3, iterationCount: 15)]
public class ExecutionWriteBenchmarks
{
    private const int Executions = 256;
    private const string Request = """{"method":"POST","path":"/p/bench/prod/hook/42","params":{"id":"42"},"query":{},"headers":{"accept":"*/*","host":"127.0.0.1:18300","user-agent":"wrk","content-type":"application/json","content-length":"49"},"body":{"name":"bench","numbers":[1,2,3,4,5,6,7,8,9,10]},"ip":"127.0.0.1"}""";
    private const string Reply = """{"status":200,"headers":{},"body":{"id":"42","sum":55,"greeting":"Hello, bench!"}}""";
    private string _folder = null!;
    private DbContextOptions<SqliteAppDbContext> _options = null!;
    private readonly Guid _organization = Guid.CreateVersion7();
    private readonly Guid _project = Guid.CreateVersion7();
    private readonly Guid _workflow = Guid.CreateVersion7();

    [GlobalSetup]
    public void Setup()
    {
        _folder = Directory.CreateTempSubdirectory("plexus-bench-").FullName;
        var connection = new SqliteConnectionStringBuilder { DataSource = Path.Combine(_folder, "plexus.db"), Pooling = true }.ToString();
        _options = new DbContextOptionsBuilder<SqliteAppDbContext>().UseSqlite(connection).Options;
        using var db = new SqliteAppDbContext(_options);
        db.Database.OpenConnection();
        db.Database.ExecuteSqlRaw("PRAGMA journal_mode=WAL;");
        db.Database.Migrate();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "SaveChanges (change tracker)")]
    public async Task SaveChanges()
    {
        await using var db = await OpenAsync();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var (executions, nodeRuns) = Batch();
        db.Executions.AddRange(executions);
        db.NodeRuns.AddRange(nodeRuns);
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
    }

    [Benchmark(Description = "RowInserts (plain inserts)")]
    public async Task PlainInserts()
    {
        await using var db = await OpenAsync();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var (executions, nodeRuns) = Batch();
        await RowInserts.InsertAsync(db, executions, CancellationToken.None);
        await RowInserts.InsertAsync(db, nodeRuns, CancellationToken.None);
        await transaction.CommitAsync();
    }

    private async Task<SqliteAppDbContext> OpenAsync()
    {
        var db = new SqliteAppDbContext(_options);
        await db.Database.OpenConnectionAsync();
        await db.Database.ExecuteSqlRawAsync("PRAGMA synchronous=NORMAL;");
        return db;
    }

    private (List<ExecutionRow> Executions, List<NodeRunRow> NodeRuns) Batch()
    {
        var executions = new List<ExecutionRow>(Executions);
        var nodeRuns = new List<NodeRunRow>(Executions * 3);
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < Executions; i++)
        {
            var id = Guid.CreateVersion7(now);
            executions.Add(new ExecutionRow
            {
                Id = id, OrganizationId = _organization, ProjectId = _project, WorkflowId = _workflow, Version = 1, Stage = "prod",
                Status = "succeeded", Trigger = Request, CorrelationId = id.ToString("n"), StartedAt = now, EndedAt = now,
            });
            nodeRuns.Add(NodeRun(id, 1, "hook", "http.trigger", Request, Request, now));
            nodeRuns.Add(NodeRun(id, 2, "sum", "code.js", Request, """{"sum":55}""", now));
            nodeRuns.Add(NodeRun(id, 3, "reply", "http.response", """{"sum":55}""", Reply, now));
        }

        return (executions, nodeRuns);
    }

    private NodeRunRow NodeRun(Guid execution, int sequence, string node, string type, string input, string output, DateTimeOffset now) => new()
    {
        OrganizationId = _organization, ExecutionId = execution, Sequence = sequence, NodeId = node, Type = type, Status = "succeeded",
        Attempts = 1, StartedAt = now, EndedAt = now, DurationMs = 0.01, Input = input, Output = output, Port = "out",
    };
}
