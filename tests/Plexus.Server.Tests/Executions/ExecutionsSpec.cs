using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Plexus.Engine.Execution;
using Plexus.Persistence.Model;
using Plexus.Server.Features.Executions;
using Plexus.Server.Infrastructure;
using Plexus.Server.Infrastructure.ExecutionStore;
using Plexus.Server.Tests.Support;

namespace Plexus.Server.Tests.Executions;

/// <summary>Running workflows through the runner and what the database keeps of them; on each database.</summary>
public abstract class ExecutionsSpec<TDatabase>(TDatabase database) : IClassFixture<TDatabase> where TDatabase : ExecutionDatabase
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Example(string name)
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(folder!.FullName, "Plexus.slnx")))
        {
            folder = folder.Parent;
        }

        return File.ReadAllText(Path.Combine(folder.FullName, "examples", name));
    }

    private static string Flow(string name, string nodes, string edges) =>
        $$"""{ "schema": "plexus/workflow@1", "name": "{{name}}", "nodes": [ {{nodes}} ], "edges": [ {{edges}} ] }""";

    private static readonly string Failing = Flow("failing",
        """{ "id": "start", "type": "trigger.manual" }, { "id": "boom", "type": "code.js", "settings": { "source": "throw new Error('out of stock')" } }""",
        """{ "from": "start", "to": "boom" }""");

    private static readonly string Succeeding = Flow("fine",
        """{ "id": "start", "type": "trigger.manual" }, { "id": "done", "type": "flow.return", "settings": { "value": 42 } }""",
        """{ "from": "start", "to": "done" }""");

    [Fact]
    public async Task A_run_is_stored_as_succeeded_with_its_node_runs_in_order()
    {
        await using var host = database.Start();
        var workflow = await host.WorkflowAsync(Example("greet.json"));
        var input = JsonNode.Parse("""{ "method": "POST", "params": { "id": "7" }, "body": { "name": "Ada", "numbers": [1, 2, 3] } }""");

        var outcome = await host.Runner.RunAsync(ExecutionHost.DraftRun(workflow, input), Ct);
        await host.RecordedAsync();

        Assert.Equal(ExecutionOutcomeKind.Ran, outcome.Kind);
        var row = await host.Db(db => db.Executions.SingleAsync(e => e.WorkflowId == workflow.Id, Ct));
        var nodes = await host.Db(db => db.NodeRuns.Where(n => n.ExecutionId == row.Id).OrderBy(n => n.Sequence).ToListAsync(Ct));
        Assert.Equal(outcome.ExecutionId, row.Id);
        Assert.Equal(ExecutionStatus.Succeeded, row.Status);
        Assert.Equal(["hook", "sum", "reply"], nodes.Select(n => n.NodeId));
        Assert.All(nodes, n => Assert.Equal(NodeRunStatus.Succeeded, n.Status));
        Assert.Equal(6, JsonNode.Parse(nodes[1].Output!)!["sum"]!.GetValue<int>());
        Assert.Equal("Ada", JsonNode.Parse(row.Trigger!)!["body"]!["name"]!.GetValue<string>());
        Assert.NotNull(row.EndedAt);
        Assert.Null(row.Version);
        Assert.Equal(workflow.OrganizationId, row.OrganizationId);
    }

    [Fact]
    public async Task A_failed_run_is_stored_with_its_error()
    {
        await using var host = database.Start();
        var workflow = await host.WorkflowAsync(Failing);

        await host.Runner.RunAsync(ExecutionHost.DraftRun(workflow), Ct);
        await host.RecordedAsync();

        var row = await host.Db(db => db.Executions.SingleAsync(e => e.WorkflowId == workflow.Id, Ct));
        var error = ExecutionRows.Error(row.Error)!;
        Assert.Equal(ExecutionStatus.Failed, row.Status);
        Assert.Contains("out of stock", error.Message, StringComparison.Ordinal);
        Assert.Equal("boom", error.Node);
        var boom = await host.Db(db => db.NodeRuns.SingleAsync(n => n.ExecutionId == row.Id && n.NodeId == "boom", Ct));
        Assert.Equal(NodeRunStatus.Failed, boom.Status);
        Assert.Contains("\"message\"", boom.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Save_policy_errors_keeps_failed_runs_only()
    {
        await using var host = database.Start();
        var failing = await host.WorkflowAsync(Failing, SavePolicy.Errors);
        var fine = await host.WorkflowAsync(Succeeding, SavePolicy.Errors);

        await host.Runner.RunAsync(ExecutionHost.DraftRun(failing), Ct);
        var succeeded = await host.Runner.RunAsync(ExecutionHost.DraftRun(fine), Ct);
        await host.RecordedAsync();

        Assert.Equal(ExecutionStatus.Succeeded, succeeded.Result!.Status);
        Assert.Equal(1, await host.Db(db => db.Executions.CountAsync(e => e.WorkflowId == failing.Id, Ct)));
        Assert.Equal(0, await host.Db(db => db.Executions.CountAsync(e => e.WorkflowId == fine.Id, Ct)));
        Assert.Equal(0, await host.Db(db => db.NodeRuns.CountAsync(n => n.ExecutionId == succeeded.ExecutionId, Ct)));
    }

    [Fact]
    public async Task A_stage_override_of_the_save_policy_wins_for_runs_on_that_stage()
    {
        await using var host = database.Start();
        var workflow = await host.WorkflowAsync(Succeeding, SavePolicy.All);
        await host.Db(async db =>
        {
            var row = await db.Workflows.SingleAsync(w => w.Id == workflow.Id, Ct);
            row.StageSavePolicies = """{"dev":"none"}""";
            return await db.SaveChangesAsync(Ct);
        });
        var reloaded = await host.Db(db => db.Workflows.AsNoTracking().SingleAsync(w => w.Id == workflow.Id, Ct));

        var onDev = await host.Runner.RunAsync(ExecutionHost.DraftRun(reloaded), Ct);
        await host.RecordedAsync();

        Assert.Equal(ExecutionStatus.Succeeded, onDev.Result!.Status);
        Assert.Equal(0, await host.Db(db => db.Executions.CountAsync(e => e.WorkflowId == workflow.Id, Ct)));
    }

    [Fact]
    public async Task Save_policy_none_runs_but_writes_nothing()
    {
        await using var host = database.Start();
        var failing = await host.WorkflowAsync(Failing, SavePolicy.None);
        var fine = await host.WorkflowAsync(Succeeding, SavePolicy.None);

        var failed = await host.Runner.RunAsync(ExecutionHost.DraftRun(failing), Ct);
        var succeeded = await host.Runner.RunAsync(ExecutionHost.DraftRun(fine), Ct);
        await host.RecordedAsync();

        Assert.Equal(ExecutionStatus.Failed, failed.Result!.Status);
        Assert.Equal(42, succeeded.Result!.Result!.GetValue<int>());
        Assert.Equal(0, await host.Db(db => db.Executions.CountAsync(e => e.WorkflowId == failing.Id || e.WorkflowId == fine.Id, Ct)));
    }

    [Fact]
    public async Task Secrets_come_from_the_stage_and_appear_in_no_stored_row_and_no_log_line()
    {
        const string Value = "tok-9f8e7d6c5b4a";
        var logs = new LogCapture();
        await using var host = database.Start(
            new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Trace" },
            services => services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(logs));
        var workflow = await host.WorkflowAsync(Flow("secrets",
            """
            { "id": "start", "type": "trigger.manual" },
            { "id": "header", "type": "data.set", "settings": { "value": { "auth": "Bearer <secret:apiKey>", "direct": "={{ secret('apiKey') }}" } } },
            { "id": "code", "type": "code.js", "settings": { "source": "console.log('key ' + secret('apiKey')); return { again: input.auth }" } },
            { "id": "done", "type": "flow.return" }
            """,
            """{ "from": "start", "to": "header" }, { "from": "header", "to": "code" }, { "from": "code", "to": "done" }"""));
        await host.SecretAsync(workflow.ProjectId, "dev", "apiKey", Value);

        var outcome = await host.Runner.RunAsync(ExecutionHost.DraftRun(workflow), Ct);
        await host.RecordedAsync();

        Assert.Equal($"Bearer {Value}", outcome.Result!.Result!["again"]!.GetValue<string>());
        var row = await host.Db(db => db.Executions.SingleAsync(e => e.Id == outcome.ExecutionId, Ct));
        var nodes = await host.Db(db => db.NodeRuns.Where(n => n.ExecutionId == row.Id).ToListAsync(Ct));
        string?[] texts =
        [
            row.Trigger, row.Result, row.Error, row.CorrelationId, row.SuspendedState,
            .. nodes.SelectMany(n => new[] { n.Input, n.Output, n.Error, n.Logs, n.Port, n.Scope }),
        ];
        Assert.All(texts, text => Assert.DoesNotContain(Value, text ?? "", StringComparison.Ordinal));
        Assert.Contains("Bearer ***", row.Result, StringComparison.Ordinal);
        Assert.Contains("key ***", nodes.Single(n => n.NodeId == "code").Logs, StringComparison.Ordinal);
        Assert.NotEmpty(logs.Lines);
        Assert.DoesNotContain(logs.Lines, line => line.Contains(Value, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Values_over_64_KB_are_stored_truncated_and_marked()
    {
        await using var host = database.Start();
        var workflow = await host.WorkflowAsync(Flow("big",
            """{ "id": "start", "type": "trigger.manual" }, { "id": "big", "type": "code.js", "settings": { "source": "return { text: 'x'.repeat(100000) }" } }""",
            """{ "from": "start", "to": "big" }"""));

        var outcome = await host.Runner.RunAsync(ExecutionHost.DraftRun(workflow), Ct);
        await host.RecordedAsync();

        var big = await host.Db(db => db.NodeRuns.SingleAsync(n => n.ExecutionId == outcome.ExecutionId && n.NodeId == "big", Ct));
        var start = await host.Db(db => db.NodeRuns.SingleAsync(n => n.ExecutionId == outcome.ExecutionId && n.NodeId == "start", Ct));
        Assert.True(big.OutputTruncated);
        Assert.False(big.InputTruncated);
        Assert.False(start.OutputTruncated);
        Assert.InRange(big.Output!.Length, RecordValues.MaxChars, RecordValues.MaxChars + 16);
    }

    [Fact]
    public async Task A_waiting_run_is_stored_protected_and_resumes_in_a_new_host()
    {
        var host = database.Start();
        var workflow = await host.WorkflowAsync(Example("approval.json"));
        var waiting = await host.Runner.RunAsync(ExecutionHost.DraftRun(workflow), Ct);
        var token = waiting.Result!.Waits.Single().Token;

        var row = await host.Db(db => db.Executions.SingleAsync(e => e.Id == waiting.ExecutionId, Ct));
        var wait = await host.Db(db => db.NodeRuns.SingleAsync(n => n.ExecutionId == waiting.ExecutionId && n.NodeId == "approval", Ct));
        Assert.Equal(ExecutionStatus.Waiting, row.Status);
        Assert.NotNull(row.SuspendedState);
        Assert.DoesNotContain("laptop", row.SuspendedState, StringComparison.Ordinal);
        Assert.DoesNotContain(token, row.SuspendedState, StringComparison.Ordinal);
        Assert.Equal(Hashes.Sha256(token), wait.ResumeTokenHash);
        Assert.Equal(NodeRunStatus.Waiting, wait.Status);
        await host.DisposeAsync();

        await using var restarted = database.Start();
        var resumed = await restarted.Runner.ResumeByTokenAsync(token, JsonNode.Parse("""{ "approved": true }"""), Ct);
        await restarted.RecordedAsync();

        Assert.Equal(ExecutionOutcomeKind.Ran, resumed.Kind);
        Assert.Equal("approved", resumed.Result!.Result!["decision"]!.GetValue<string>());
        var done = await restarted.Db(db => db.Executions.SingleAsync(e => e.Id == waiting.ExecutionId, Ct));
        var nodes = await restarted.Db(db => db.NodeRuns.Where(n => n.ExecutionId == done.Id).OrderBy(n => n.Sequence).ToListAsync(Ct));
        Assert.Equal(ExecutionStatus.Succeeded, done.Status);
        Assert.Null(done.SuspendedState);
        Assert.Equal(["start", "approval", "approved"], nodes.Take(3).Select(n => n.NodeId));
        Assert.Equal(NodeRunStatus.Succeeded, nodes.Single(n => n.NodeId == "approval").Status);
        Assert.Equal(NodeRunStatus.Succeeded, nodes.Single(n => n.NodeId == "yes").Status);
        Assert.Equal(NodeRunStatus.Skipped, nodes.Single(n => n.NodeId == "no").Status);
    }

    [Fact]
    public async Task A_used_resume_token_is_a_conflict_and_an_unknown_one_is_not_found()
    {
        await using var host = database.Start();
        var workflow = await host.WorkflowAsync(Example("approval.json"));
        var waiting = await host.Runner.RunAsync(ExecutionHost.DraftRun(workflow), Ct);
        var token = waiting.Result!.Waits.Single().Token;

        var first = await host.Runner.ResumeByTokenAsync(token, JsonNode.Parse("""{ "approved": false }"""), Ct);
        await host.RecordedAsync();
        var again = await host.Runner.ResumeByTokenAsync(token, JsonNode.Parse("""{ "approved": true }"""), Ct);
        var unknown = await host.Runner.ResumeByTokenAsync("not-a-token", null, Ct);
        var byNode = await host.Runner.ResumeAsync(waiting.ExecutionId, "approval", null, Ct);

        Assert.Equal("rejected", first.Result!.Result!["decision"]!.GetValue<string>());
        Assert.Equal(ExecutionOutcomeKind.Conflict, again.Kind);
        Assert.Equal(ExecutionOutcomeKind.NotFound, unknown.Kind);
        Assert.Equal(ExecutionOutcomeKind.Conflict, byNode.Kind);
    }

    [Fact]
    public async Task A_waiting_run_resumes_by_execution_id_and_node()
    {
        await using var host = database.Start();
        var workflow = await host.WorkflowAsync(Example("approval.json"));
        var waiting = await host.Runner.RunAsync(ExecutionHost.DraftRun(workflow), Ct);

        var wrongNode = await host.Runner.ResumeAsync(waiting.ExecutionId, "yes", null, Ct);
        var resumed = await host.Runner.ResumeAsync(waiting.ExecutionId, "approval", JsonNode.Parse("""{ "approved": true }"""), Ct);

        Assert.Equal(ExecutionOutcomeKind.NotFound, wrongNode.Kind);
        Assert.Equal(ExecutionStatus.Succeeded, resumed.Result!.Status);
    }

    [Fact]
    public async Task Flow_call_runs_the_blueprints_draft_in_a_draft_run_and_its_published_version_on_a_stage()
    {
        await using var host = database.Start();
        var caller = await host.WorkflowAsync(Example("call.json"));
        var draft = Example("double.json");
        await host.SiblingAsync(caller, draft, publishedJson: draft.Replace("input.value * 2", "input.value * 3", StringComparison.Ordinal));
        var version = new RunStart { Workflow = caller, Document = ExecutionHost.DraftRun(caller).Document, Version = 1, Stage = "prod" };

        var drafted = await host.Runner.RunAsync(ExecutionHost.DraftRun(caller), Ct);
        var published = await host.Runner.RunAsync(version, Ct);
        var onDev = await host.Runner.RunAsync(version with { Stage = "dev" }, Ct);

        Assert.Equal(42L, drafted.Result!.Result!["doubled"]!.GetValue<long>());
        Assert.Equal(63L, published.Result!.Result!["doubled"]!.GetValue<long>());
        Assert.Equal(ExecutionStatus.Failed, onDev.Result!.Status);
        Assert.Contains("not published on stage 'dev'", onDev.Result.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_running_execution_is_cancelled_and_recorded_as_such()
    {
        await using var host = database.Start();
        var workflow = await host.WorkflowAsync(Flow("slow",
            """{ "id": "start", "type": "trigger.manual" }, { "id": "pause", "type": "flow.wait", "settings": { "mode": "duration", "durationMs": 600000 } }""",
            """{ "from": "start", "to": "pause" }"""));

        var started = await host.Runner.StartAsync(ExecutionHost.DraftRun(workflow), Ct);
        await host.RecordedAsync();
        var running = await host.Db(db => db.Executions.SingleAsync(e => e.Id == started.ExecutionId, Ct));
        var cancel = await host.Runner.CancelAsync(started.ExecutionId, Ct);
        var ended = await started.Completion!;
        await host.RecordedAsync();

        Assert.Equal(ExecutionOutcomeKind.Started, started.Kind);
        Assert.Equal(ExecutionStatus.Running, running.Status);
        Assert.Equal(ExecutionOutcomeKind.Ran, cancel.Kind);
        Assert.Equal(ExecutionStatus.Cancelled, ended.Result!.Status);
        Assert.Equal(ExecutionStatus.Cancelled, (await host.Db(db => db.Executions.SingleAsync(e => e.Id == started.ExecutionId, Ct))).Status);
        Assert.Equal(ExecutionOutcomeKind.Conflict, (await host.Runner.CancelAsync(started.ExecutionId, Ct)).Kind);
    }

    [Fact]
    public async Task A_waiting_execution_is_cancelled_and_can_no_longer_be_resumed()
    {
        await using var host = database.Start();
        var workflow = await host.WorkflowAsync(Example("approval.json"));
        var waiting = await host.Runner.RunAsync(ExecutionHost.DraftRun(workflow), Ct);

        var cancel = await host.Runner.CancelAsync(waiting.ExecutionId, Ct);
        var resume = await host.Runner.ResumeByTokenAsync(waiting.Result!.Waits.Single().Token, null, Ct);

        Assert.Equal(ExecutionOutcomeKind.Ran, cancel.Kind);
        Assert.Equal(ExecutionOutcomeKind.Conflict, resume.Kind);
        var row = await host.Db(db => db.Executions.SingleAsync(e => e.Id == waiting.ExecutionId, Ct));
        Assert.Equal(ExecutionStatus.Cancelled, row.Status);
        Assert.Null(row.SuspendedState);
    }

    [Fact]
    public async Task Stopping_the_host_writes_every_queued_record()
    {
        var host = database.Start(new Dictionary<string, string?> { ["Executions:RecordQueueCapacity"] = "50", ["Executions:RecordBatchSize"] = "64" });
        var workflow = await host.WorkflowAsync(Succeeding);
        var owner = new ExecutionOwner(workflow.OrganizationId, workflow.ProjectId, workflow.Id, null);
        var recorder = host.Services.GetRequiredService<ExecutionRecorder>();
        var at = DateTimeOffset.UtcNow;
        for (var i = 0; i < 1000; i++)
        {
            var id = Guid.NewGuid();
            NodeRunRecord node = new(0, "done", "flow.return", NodeRunStatus.Succeeded, 1, at, at, 0, null, false, JsonValue.Create(i), false,
                null, "out", null, false, null, null);
            var record = new ExecutionRecord(id.ToString("n"), "fine", "dev", ExecutionStatus.Succeeded, JsonValue.Create(i), null, null, null, null,
                at, at, [node]);
            await recorder.RecordAsync(new ExecutionEntry(id, owner, record), SavePolicy.All, untilStored: false, Ct);
        }

        await host.DisposeAsync();

        await using var restarted = database.Start();
        Assert.Equal(1000, await restarted.Db(db => db.Executions.CountAsync(e => e.WorkflowId == workflow.Id, Ct)));
        Assert.Equal(1000, await restarted.Db(db => db.NodeRuns.CountAsync(n => db.Executions.Any(e => e.Id == n.ExecutionId && e.WorkflowId == workflow.Id), Ct)));
    }

    [Fact]
    public async Task Retention_deletes_executions_older_than_the_projects_days()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = database.Start(services: s => s.AddSingleton<TimeProvider>(clock));
        var workflow = await host.WorkflowAsync(Succeeding, retentionDays: 7);
        var old = await RecordAsync(host, workflow, clock.GetUtcNow().AddDays(-8));
        var waitingOld = await RecordAsync(host, workflow, clock.GetUtcNow().AddDays(-9), ExecutionStatus.Waiting);
        var recent = await RecordAsync(host, workflow, clock.GetUtcNow().AddDays(-6));
        await host.RecordedAsync();

        clock.Advance(TimeSpan.FromMinutes(10));
        var left = await EventuallyAsync(host, workflow, count => count == 2);

        Assert.Equal(new[] { recent, waitingOld }.Order(), left.Order());
        Assert.DoesNotContain(old, left);
        Assert.Equal(0, await host.Db(db => db.NodeRuns.CountAsync(n => n.ExecutionId == old, Ct)));
    }

    [Fact]
    public async Task Retention_keeps_the_newest_executions_per_workflow()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = database.Start(services: s => s.AddSingleton<TimeProvider>(clock));
        var workflow = await host.WorkflowAsync(Succeeding, retentionMaxCount: 3);
        var ids = new List<Guid>();
        for (var i = 5; i >= 1; i--)
        {
            ids.Add(await RecordAsync(host, workflow, clock.GetUtcNow().AddMinutes(-i)));
        }

        await host.RecordedAsync();

        clock.Advance(TimeSpan.FromMinutes(10));
        var left = await EventuallyAsync(host, workflow, count => count == 3);

        Assert.Equal(ids.Skip(2).Order(), left.Order());
    }

    [Fact]
    public async Task Invalid_execution_options_stop_the_server_at_start()
    {
        var failure = Assert.ThrowsAny<Exception>(() => database.Start(new Dictionary<string, string?> { ["Executions:RecordBatchSize"] = "0" }));

        Assert.Contains("RecordBatchSize", failure.ToString(), StringComparison.Ordinal);
    }

    private static async Task<Guid> RecordAsync(ExecutionHost host, Workflow workflow, DateTimeOffset startedAt, string status = ExecutionStatus.Succeeded)
    {
        var id = Guid.NewGuid();
        NodeRunRecord node = new(0, "done", "flow.return", NodeRunStatus.Succeeded, 1, startedAt, startedAt, 0, null, false, null, false,
            null, "out", null, false, null, null);
        var record = new ExecutionRecord(id.ToString("n"), workflow.Name, "dev", status, null, null, null, null, null, startedAt, startedAt, [node]);
        var owner = new ExecutionOwner(workflow.OrganizationId, workflow.ProjectId, workflow.Id, null);
        await host.Services.GetRequiredService<ExecutionRecorder>().RecordAsync(new ExecutionEntry(id, owner, record), SavePolicy.All, false, Ct);
        return id;
    }

    private static async Task<List<Guid>> EventuallyAsync(ExecutionHost host, Workflow workflow, Func<int, bool> done)
    {
        for (var i = 0; ; i++)
        {
            var ids = await host.Db(db => db.Executions.Where(e => e.WorkflowId == workflow.Id).Select(e => e.Id).ToListAsync(Ct));
            if (done(ids.Count) || i == 100)
            {
                return ids;
            }

            await Task.Delay(50, Ct);
        }
    }
}

public sealed class ExecutionsOnSqlite(SqliteExecutionDatabase database) : ExecutionsSpec<SqliteExecutionDatabase>(database);

public sealed class ExecutionsOnPostgres(PostgresExecutionDatabase database) : ExecutionsSpec<PostgresExecutionDatabase>(database);
