using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Plexus.Server.Tests.Projects;
using Plexus.Server.Tests.Runs;
using Plexus.Server.Tests.Support;

namespace Plexus.Server.Tests.Queue;

/// <summary>
/// The durable run queue in one server, on each database: runs not waited for are queued and started by a worker;
/// a full queue refuses with 503 and <c>Retry-After</c> and loses nothing it accepted; failed runs are retried per the
/// workflow's policy, then the project's error workflow runs once; a queued run can be cancelled before it starts.
/// The server has one worker and room for 4 waiting runs, so that runs visibly wait.
/// </summary>
public abstract class QueueSpec<TServer> : IClassFixture<TServer> where TServer : PlexusServer
{
    private readonly TServer _server;

    protected QueueSpec(TServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        _server = server;
        // Settings of the shared server, read when its first test starts it.
        server.Configure("Queue:Concurrency", "1");
        server.Configure("Queue:Capacity", "4");
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<Member> SignUpAsync()
    {
        if (_server.SkipReason is { } reason)
        {
            Assert.Skip(reason);
        }

        return await Member.SignUpAsync(_server);
    }

    [Fact]
    public async Task A_run_not_waited_for_is_queued_then_started_by_a_worker_and_shows_when_it_was_queued()
    {
        var alice = await SignUpAsync();
        var workflow = await alice.WorkflowAsync(Flows.Double);

        var answer = await alice.RunAsync(workflow, new { input = new { n = 5 } }, wait: false);
        var accepted = await Expect.JsonAsync(answer, HttpStatusCode.Accepted);
        var ended = await alice.EndedAsync(accepted["id"].Text());
        var queue = await Expect.JsonAsync(await alice.Http.GetAsync($"/api/v1/orgs/{alice.OrgId}/queue", Ct));

        Assert.Equal("queued", accepted["status"].Text());
        Assert.Equal("succeeded", ended["status"].Text());
        Assert.Equal(10, ended["result"]!["doubled"]!.GetValue<int>());
        var enqueuedAt = ended["enqueuedAt"]!.GetValue<DateTimeOffset>();
        Assert.True(enqueuedAt <= ended["startedAt"]!.GetValue<DateTimeOffset>(), "queued before it started");
        Assert.Equal(1, ended["attempt"]!.GetValue<int>());
        Assert.Equal(0, queue["waiting"]!.GetValue<int>());
        Assert.Equal(0, queue["running"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_route_that_answers_at_once_queues_its_run_and_a_worker_runs_it()
    {
        var alice = await SignUpAsync();
        var slug = Member.NewSlug();
        var project = await alice.CreateProjectAsync(slug);
        var workflow = await alice.CreateWorkflowAsync(project, "later", Later);
        var version = await alice.FreezeAsync(workflow, Later);
        await Expect.JsonAsync(await alice.Http.PostAsJsonAsync($"/api/v1/workflows/{workflow}/publish", new { stage = "prod", version }, Ct));

        var answer = await alice.Http.PostAsJsonAsync($"/p/{slug}/prod/later", new { order = 7 }, Ct);
        var accepted = await Expect.JsonAsync(answer, HttpStatusCode.Accepted);
        var ended = await alice.EndedAsync(accepted["executionId"].Text());

        Assert.Equal("succeeded", ended["status"].Text());
        Assert.Equal(7, ended["result"]!["order"]!.GetValue<int>());
        Assert.NotNull(ended["enqueuedAt"]);
    }

    [Fact]
    public async Task A_full_queue_refuses_with_503_and_Retry_After_and_every_run_it_accepted_completes()
    {
        var alice = await SignUpAsync();
        var workflow = await alice.WorkflowAsync(Pause300);
        // The one worker is busy for 3 s first, so that however slowly the burst arrives nothing it sends can finish meanwhile.
        var blocker = await alice.WorkflowAsync(Pause300.Replace("\"durationMs\": 300", "\"durationMs\": 3000", StringComparison.Ordinal));
        var busy = (await Expect.JsonAsync(await alice.RunAsync(blocker, wait: false), HttpStatusCode.Accepted))["id"].Text();
        for (var i = 0; (await alice.ExecutionAsync(busy))["status"].Text() != "running"; i++)
        {
            Assert.True(i < 200, "the first run did not start");
            await Task.Delay(50, Ct);
        }

        // Twelve at once for one busy worker whose runs take 300 ms, and room for four waiting.
        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => alice.RunAsync(workflow, wait: false)));
        var accepted = new List<string>();
        foreach (var answer in answers)
        {
            if (answer.StatusCode == HttpStatusCode.Accepted)
            {
                accepted.Add((await answer.Content.ReadFromJsonAsync<JsonObject>(Ct))!["id"].Text());
            }
            else
            {
                await Expect.ProblemAsync(answer, HttpStatusCode.ServiceUnavailable, "queue-full");
                Assert.Equal("5", answer.Headers.GetValues("Retry-After").Single());
            }
        }

        var ended = new List<JsonObject>();
        foreach (var id in accepted)
        {
            ended.Add(await alice.EndedAsync(id));
        }

        var listed = await Expect.JsonAsync(await alice.Http.GetAsync($"/api/v1/executions?workflowId={workflow}&limit=100", Ct));

        Assert.InRange(accepted.Count, 4, 11);
        Assert.All(ended, e => Assert.Equal("succeeded", e["status"].Text()));
        // Nothing refused was kept, nothing accepted was lost.
        Assert.Equal(accepted.Order(), listed["items"]!.AsArray().Select(e => e!["id"].Text()).Order());
    }

    [Fact]
    public async Task A_run_waiting_in_the_queue_is_cancelled_before_it_starts_and_never_runs()
    {
        var alice = await SignUpAsync();
        var slow = await alice.WorkflowAsync(Pause300);
        var first = (await Expect.JsonAsync(await alice.RunAsync(slow, wait: false), HttpStatusCode.Accepted))["id"].Text();
        var second = (await Expect.JsonAsync(await alice.RunAsync(slow, wait: false), HttpStatusCode.Accepted))["id"].Text();

        var cancelled = await Expect.JsonAsync(await alice.Http.PostAsync($"/api/v1/executions/{second}/cancel", null, Ct));
        var firstEnded = await alice.EndedAsync(first);
        await Task.Delay(500, Ct); // a worker would have taken the second by now
        var secondRead = await alice.ExecutionAsync(second);

        Assert.Equal("cancelled", cancelled["status"].Text());
        Assert.Equal("succeeded", firstEnded["status"].Text());
        Assert.Equal("cancelled", secondRead["status"].Text());
        Assert.Empty(secondRead["nodes"]!.AsArray());
    }

    [Fact]
    public async Task A_failed_queued_run_is_retried_per_the_workflow_policy_then_the_error_workflow_runs_once_with_its_details()
    {
        var alice = await SignUpAsync();
        var project = await alice.CreateProjectAsync();
        var flaky = await alice.CreateWorkflowAsync(project, "flaky", Flaky);
        var onError = await alice.CreateWorkflowAsync(project, "on-error", OnError);
        foreach (var (workflow, document) in new[] { (flaky, Flaky), (onError, OnError) })
        {
            var version = await alice.FreezeAsync(workflow, document);
            await Expect.JsonAsync(await alice.Http.PostAsJsonAsync($"/api/v1/workflows/{workflow}/publish", new { stage = "prod", version }, Ct));
        }

        var changed = await Expect.JsonAsync(await alice.Http.PatchAsJsonAsync($"/api/v1/projects/{project}",
            new { errorWorkflowId = onError.ToString() }, Ct));
        await Expect.JsonAsync(await alice.RunAsync(flaky, new { stage = "prod" }, wait: false), HttpStatusCode.Accepted);

        var handled = await UntilAsync(alice, onError, items => items.Count >= 1 && items.All(e => e["status"].Text() == "succeeded"));
        await Task.Delay(1000, Ct); // time for a second (wrong) error run to show
        var attempts = (await ListAsync(alice, flaky)).OrderBy(e => e["attempt"]!.GetValue<int>()).ToList();
        var errorRuns = await ListAsync(alice, onError);

        Assert.Equal(onError, changed["errorWorkflowId"]!.GetValue<Guid>());
        Assert.Equal([1, 2, 3], attempts.Select(e => e["attempt"]!.GetValue<int>()));
        Assert.All(attempts, e => Assert.Equal("failed", e["status"].Text()));
        var firstId = attempts[0]["id"].Text();
        Assert.Null(attempts[0]["retryOf"]);
        Assert.All(attempts.Skip(1), e => Assert.Equal(firstId, e["retryOf"].Text()));
        var errorRun = Assert.Single(errorRuns);
        var details = (await alice.ExecutionAsync(errorRun["id"].Text()))["result"]!;
        Assert.Equal(attempts[2]["id"].Text(), details["id"].Text());
        Assert.Equal("flaky", details["workflow"].Text());
        Assert.Equal(3, details["attempt"]!.GetValue<int>());
        Assert.Equal(firstId, details["retryOf"].Text());
        Assert.Equal("prod", details["stage"].Text());
        Assert.Contains("out of stock", details["error"]!["message"].Text(), StringComparison.Ordinal);
        Assert.Single(handled);
    }

    [Fact]
    public async Task The_error_workflow_must_be_a_workflow_of_the_project()
    {
        var alice = await SignUpAsync();
        var project = await alice.CreateProjectAsync();
        var elsewhere = await alice.CreateWorkflowAsync(await alice.CreateProjectAsync(), "other");

        var notAnId = await alice.Http.PatchAsJsonAsync($"/api/v1/projects/{project}", new { errorWorkflowId = "nope" }, Ct);
        var foreign = await alice.Http.PatchAsJsonAsync($"/api/v1/projects/{project}", new { errorWorkflowId = elsewhere.ToString() }, Ct);

        var problem = await Expect.ProblemAsync(notAnId, HttpStatusCode.UnprocessableEntity, "validation");
        Assert.NotNull(problem["errors"]!["errorWorkflowId"]);
        problem = await Expect.ProblemAsync(foreign, HttpStatusCode.UnprocessableEntity, "validation");
        Assert.Contains("of this project", problem["errors"]!["errorWorkflowId"]![0].Text(), StringComparison.Ordinal);
    }

    private static async Task<List<JsonObject>> ListAsync(Member member, Guid workflow)
    {
        var page = await Expect.JsonAsync(await member.Http.GetAsync($"/api/v1/executions?workflowId={workflow}&limit=100", Ct));
        return [.. page["items"]!.AsArray().Select(e => e!.AsObject())];
    }

    private static async Task<List<JsonObject>> UntilAsync(Member member, Guid workflow, Func<List<JsonObject>, bool> done)
    {
        for (var i = 0; ; i++)
        {
            var items = await ListAsync(member, workflow);
            if (done(items))
            {
                return items;
            }

            Assert.True(i < 300, $"not done after 30 s: {string.Join(", ", items.Select(e => e.ToJsonString()))}");
            await Task.Delay(100, Ct);
        }
    }

    private const string Later = """
        { "schema": "plexus/workflow@1", "name": "later",
          "nodes": [
            { "id": "hook", "type": "http.trigger", "settings": { "method": "POST", "path": "/later", "respond": "immediately" } },
            { "id": "done", "type": "flow.return", "settings": { "value": "={{ input.body }}" } }
          ],
          "edges": [ { "from": "hook", "to": "done" } ] }
        """;

    private const string Pause300 = """
        { "schema": "plexus/workflow@1", "name": "pause",
          "nodes": [
            { "id": "start", "type": "trigger.manual" },
            { "id": "pause", "type": "flow.wait", "settings": { "mode": "duration", "durationMs": 300 } }
          ],
          "edges": [ { "from": "start", "to": "pause" } ] }
        """;

    private const string Flaky = """
        { "schema": "plexus/workflow@1", "name": "flaky",
          "retry": { "attempts": 3, "backoff": "exponential", "delayMs": 50 },
          "nodes": [
            { "id": "start", "type": "trigger.manual" },
            { "id": "order", "type": "code.js", "settings": { "source": "throw new Error('out of stock')" } }
          ],
          "edges": [ { "from": "start", "to": "order" } ] }
        """;

    private const string OnError = """
        { "schema": "plexus/workflow@1", "name": "on-error",
          "nodes": [
            { "id": "start", "type": "trigger.manual" },
            { "id": "report", "type": "flow.return", "settings": { "value": "={{ input.execution }}" } }
          ],
          "edges": [ { "from": "start", "to": "report" } ] }
        """;
}

public sealed class QueueOnSqlite(SqliteServer server) : QueueSpec<SqliteServer>(server);

public sealed class QueueOnPostgres(PostgresServer server) : QueueSpec<PostgresServer>(server);
