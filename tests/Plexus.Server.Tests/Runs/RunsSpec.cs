using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Plexus.Server.Tests.Projects;
using Plexus.Server.Tests.Support;

namespace Plexus.Server.Tests.Runs;

/// <summary>Running workflows and reading, cancelling, resuming and deleting executions over HTTP; on each database.</summary>
public abstract class RunsSpec<TServer>(TServer server) : IClassFixture<TServer> where TServer : PlexusServer
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<Member> SignUpAsync()
    {
        if (server.SkipReason is { } reason)
        {
            Assert.Skip(reason);
        }

        return await Member.SignUpAsync(server);
    }

    [Fact]
    public async Task Sign_up_project_workflow_draft_version_publish_and_a_run_on_prod_answers_the_execution()
    {
        var alice = await SignUpAsync();
        var project = await alice.CreateProjectAsync();
        var workflow = await alice.CreateWorkflowAsync(project, "double");
        var version = await alice.FreezeAsync(workflow, Flows.Double);
        await Expect.JsonAsync(await alice.Http.PostAsJsonAsync($"/api/v1/workflows/{workflow}/publish", new { stage = "prod", version }, Ct));
        await alice.FreezeAsync(workflow, Flows.Triple); // the draft and version 2 triple; prod still runs version 1

        var ran = await alice.RanAsync(workflow, new { stage = "prod", input = new { n = 21 } });
        var read = await alice.ExecutionAsync(ran["id"].Text());

        Assert.Equal("succeeded", ran["status"].Text());
        Assert.Equal(42, ran["result"]!["doubled"]!.GetValue<int>());
        Assert.Equal(1, ran["version"]!.GetValue<int>());
        Assert.Equal("prod", ran["stage"].Text());
        Assert.Equal(workflow.ToString(), ran["workflowId"].Text());
        Assert.Equal(21, ran["trigger"]!["n"]!.GetValue<int>());
        Assert.Null(ran["error"]);
        Assert.Null(ran["waits"]);
        Assert.Equal(["start", "double", "done"], Runs.NodeIds(ran));
        Assert.Equal(ran["id"].Text(), read["id"].Text());
        Assert.Equal(ran["result"]!.ToJsonString(), read["result"]!.ToJsonString());
        Assert.Equal(["start", "double", "done"], Runs.NodeIds(read));
        Assert.All(read["nodes"]!.AsArray(), n => Assert.Equal("succeeded", n!["status"].Text()));
        var doubled = read["nodes"]![1]!;
        Assert.Equal("data.set", doubled["type"].Text());
        Assert.Equal("succeeded", doubled["status"].Text());
        Assert.Equal(1, doubled["attempts"]!.GetValue<int>());
        Assert.Equal(21, doubled["input"]!["n"]!.GetValue<int>());
        Assert.Equal(42, doubled["output"]!.GetValue<int>());
        Assert.Null(doubled["error"]);
        Assert.NotNull(doubled["startedAt"]);
        Assert.True(doubled["durationMs"]!.GetValue<double>() >= 0);
        Assert.NotNull(read["endedAt"]);
    }

    [Fact]
    public async Task A_run_without_wait_answers_202_with_where_to_find_the_execution()
    {
        var alice = await SignUpAsync();
        var workflow = await alice.WorkflowAsync(Flows.Double);

        var answer = await alice.RunAsync(workflow, new { input = new { n = 2 } }, wait: false);
        var accepted = await Expect.JsonAsync(answer, HttpStatusCode.Accepted);
        var ended = await alice.EndedAsync(accepted["id"].Text());

        Assert.Equal($"/api/v1/executions/{accepted["id"].Text()}", accepted["statusUrl"].Text());
        Assert.Equal(accepted["statusUrl"].Text(), answer.Headers.Location!.ToString());
        Assert.Equal("queued", accepted["status"].Text());
        Assert.Equal("succeeded", ended["status"].Text());
        Assert.Equal(4, ended["result"]!["doubled"]!.GetValue<int>());
        Assert.Equal("dev", ended["stage"].Text());
        Assert.Null(ended["version"]);
    }

    [Fact]
    public async Task A_run_of_a_version_runs_that_version_on_dev()
    {
        var alice = await SignUpAsync();
        var workflow = await alice.WorkflowAsync(Flows.Double);
        await alice.FreezeAsync(workflow);
        await alice.FreezeAsync(workflow, Flows.Triple);

        var first = await alice.RanAsync(workflow, new { version = 1, input = new { n = 1 } });
        var draft = await alice.RanAsync(workflow, new { input = new { n = 1 } });

        Assert.Equal(2, first["result"]!["doubled"]!.GetValue<int>());
        Assert.Equal(1, first["version"]!.GetValue<int>());
        Assert.Equal(3, draft["result"]!["doubled"]!.GetValue<int>());
    }

    [Fact]
    public async Task Log_lines_of_an_api_run_carry_its_correlation_and_execution_ids()
    {
        var alice = await SignUpAsync();
        var marker = Guid.NewGuid().ToString("n");
        var workflow = await alice.WorkflowAsync($$"""
            { "schema": "plexus/workflow@1", "name": "logged",
              "nodes": [
                { "id": "start", "type": "trigger.manual" },
                { "id": "fetch", "type": "http.request", "settings": { "url": "http://127.0.0.1:9/u{{marker}}" } }
              ],
              "edges": [ { "from": "start", "to": "fetch" } ] }
            """);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/workflows/{workflow}/runs?wait=true") { Content = JsonContent.Create(new { }) };
        request.Headers.Add("X-Correlation-Id", "c-" + marker);

        var ran = await Expect.JsonAsync(await alice.Http.SendAsync(request, Ct));

        Assert.Equal("failed", ran["status"].Text());
        var lines = server.Logs.Lines.Where(l => l.Contains("127.0.0.1:9/u" + marker, StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.Contains($"=> CorrelationId:c-{marker} ExecutionId:{ran["id"].Text()}", l, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failed_run_answers_200_with_its_error()
    {
        var alice = await SignUpAsync();
        var workflow = await alice.WorkflowAsync(Flows.Failing);

        var ran = await alice.RanAsync(workflow);

        Assert.Equal("failed", ran["status"].Text());
        Assert.Equal("it broke", ran["error"]!["message"].Text());
        Assert.Equal("boom", ran["error"]!["node"].Text());
        Assert.Equal("failed", ran["nodes"]![1]!["status"].Text());
    }

    [Fact]
    public async Task Listing_pages_through_every_execution_once_newest_first()
    {
        var alice = await SignUpAsync();
        var workflow = await alice.WorkflowAsync(Flows.Double);
        var made = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            made.Add((await alice.RanAsync(workflow, new { input = new { n = i } }))["id"].Text());
        }

        var seen = new List<JsonObject>();
        var pages = 0;
        string? cursor = null;
        do
        {
            var page = await Expect.JsonAsync(await alice.Http.GetAsync($"/api/v1/executions?limit=3&workflowId={workflow}" + (cursor is null ? "" : $"&cursor={cursor}"), Ct));
            seen.AddRange(page["items"]!.AsArray().Select(i => i!.AsObject()));
            cursor = page["next"]?.GetValue<string>();
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(3, pages);
        Assert.Equal(made.AsEnumerable().Reverse(), seen.Select(e => e["id"].Text()));
        Assert.All(seen, e => Assert.Null(e["nodes"]));
        Assert.All(seen, e => Assert.Equal("succeeded", e["status"].Text()));
        var started = seen.Select(e => e["startedAt"]!.GetValue<DateTimeOffset>()).ToList();
        Assert.Equal(started.OrderByDescending(t => t), started);
    }

    [Fact]
    public async Task Listing_filters_by_workflow_status_and_start_time()
    {
        var alice = await SignUpAsync();
        var project = await alice.CreateProjectAsync();
        var doubling = await alice.CreateWorkflowAsync(project, "double", Flows.Double);
        var failing = await alice.CreateWorkflowAsync(project, "failing", Flows.Failing);
        var before = DateTimeOffset.UtcNow.AddMinutes(-1);
        var ok = (await alice.RanAsync(doubling, new { input = new { n = 1 } }))["id"].Text();
        var bad = (await alice.RanAsync(failing))["id"].Text();

        async Task<IReadOnlyList<string>> ListAsync(string query) =>
            [.. (await Expect.JsonAsync(await alice.Http.GetAsync("/api/v1/executions?" + query, Ct)))["items"]!.AsArray().Select(i => i!["id"].Text())];

        Assert.Equal([bad, ok], await ListAsync(""));
        Assert.Equal([ok], await ListAsync($"workflowId={doubling}"));
        Assert.Equal([bad], await ListAsync("status=failed"));
        Assert.Empty(await ListAsync($"workflowId={doubling}&status=failed"));
        Assert.Equal([bad, ok], await ListAsync($"from={Uri.EscapeDataString(before.ToString("O"))}"));
        Assert.Empty(await ListAsync($"to={Uri.EscapeDataString(before.ToString("O"))}"));
        Assert.Empty(await ListAsync($"from={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(1).ToString("O"))}"));
    }

    [Fact]
    public async Task A_long_run_is_cancelled_and_then_cannot_be_cancelled_again()
    {
        var alice = await SignUpAsync();
        var workflow = await alice.WorkflowAsync(Flows.Slow);
        var accepted = await Expect.JsonAsync(await alice.RunAsync(workflow, wait: false), HttpStatusCode.Accepted);
        var id = accepted["id"].Text();
        var running = await alice.ExecutionAsync(id);

        var cancelled = await Expect.JsonAsync(await alice.Http.PostAsync($"/api/v1/executions/{id}/cancel", null, Ct));
        var read = await alice.ExecutionAsync(id);
        var again = await alice.Http.PostAsync($"/api/v1/executions/{id}/cancel", null, Ct);

        Assert.Contains(running["status"].Text(), new[] { "queued", "running" });
        Assert.Equal("cancelled", cancelled["status"].Text());
        Assert.Equal("cancelled", read["status"].Text());
        Assert.NotNull(read["endedAt"]);
        await Expect.ProblemAsync(again, HttpStatusCode.Conflict, "execution-ended");
    }

    [Fact]
    public async Task A_run_that_outlasts_the_timeout_answers_202()
    {
        var alice = await SignUpAsync();
        var workflow = await alice.WorkflowAsync(Flows.Slow);

        var answer = await alice.RunAsync(workflow, query: "&timeoutMs=200");
        var accepted = await Expect.JsonAsync(answer, HttpStatusCode.Accepted);
        await Expect.JsonAsync(await alice.Http.PostAsync($"/api/v1/executions/{accepted["id"].Text()}/cancel", null, Ct));

        Assert.Equal("running", accepted["status"].Text());
        Assert.NotNull(answer.Headers.Location);
    }

    [Fact]
    public async Task An_approval_waits_shows_its_token_once_and_resumes_at_its_node()
    {
        var alice = await SignUpAsync();
        var workflow = await alice.WorkflowAsync(Flows.Approval);

        var waiting = await alice.RanAsync(workflow);
        var id = waiting["id"].Text();
        var wait = Assert.Single(waiting["waits"]!.AsArray())!;
        var token = wait["token"].Text();
        var readText = await alice.Http.GetStringAsync($"/api/v1/executions/{id}", Ct);
        var read = JsonNode.Parse(readText)!.AsObject();
        var resumed = await Expect.JsonAsync(await alice.Http.PostAsJsonAsync(
            $"/api/v1/executions/{id}/resume", new { node = "approval", payload = new { approved = true } }, Ct));
        var again = await alice.Http.PostAsJsonAsync($"/api/v1/executions/{id}/resume", new { node = "approval", payload = new { approved = false } }, Ct);

        Assert.Equal("waiting", waiting["status"].Text());
        Assert.Equal("approval", wait["node"].Text());
        Assert.Equal("waiting", read["status"].Text());
        Assert.True(read["nodes"]!.AsArray().Single(n => n!["nodeId"].Text() == "approval")!["waiting"]!.GetValue<bool>());
        Assert.Null(read["waits"]);
        Assert.DoesNotContain(token, readText, StringComparison.Ordinal);
        Assert.Equal("succeeded", resumed["status"].Text());
        Assert.Equal("approved", resumed["result"]!["decision"].Text());
        Assert.Equal(["start", "approval", "approved"], Runs.NodeIds(resumed).Take(3));
        Assert.Equal("succeeded", (await alice.ExecutionAsync(id))["status"].Text());
        await Expect.ProblemAsync(again, HttpStatusCode.Conflict, "not-waiting");
    }

    [Fact]
    public async Task An_approval_resumes_anonymously_with_its_token_once_and_is_then_deleted()
    {
        var alice = await SignUpAsync();
        var workflow = await alice.WorkflowAsync(Flows.Approval);
        var waiting = await alice.RanAsync(workflow);
        var id = waiting["id"].Text();
        var token = waiting["waits"]![0]!["token"].Text();
        var anonymous = server.CreateClient();

        var resumed = await Expect.JsonAsync(await anonymous.PostAsJsonAsync($"/api/v1/resume/{token}", new { payload = new { approved = false } }, Ct));
        var reused = await anonymous.PostAsJsonAsync($"/api/v1/resume/{token}", new { payload = new { approved = true } }, Ct);
        var unknown = await anonymous.PostAsJsonAsync("/api/v1/resume/not-a-token", new { payload = 1 }, Ct);
        var ended = await alice.ExecutionAsync(id);
        var deleted = await alice.Http.DeleteAsync($"/api/v1/executions/{id}", Ct);
        var gone = await alice.Http.GetAsync($"/api/v1/executions/{id}", Ct);

        Assert.Equal(["id", "status"], resumed.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(id, resumed["id"].Text());
        Assert.Equal("succeeded", resumed["status"].Text());
        await Expect.ProblemAsync(reused, HttpStatusCode.Conflict, "token-used");
        await Expect.ProblemAsync(unknown, HttpStatusCode.NotFound, "not-found");
        Assert.Equal("rejected", ended["result"]!["decision"].Text());
        deleted.Is(HttpStatusCode.NoContent);
        await Expect.ProblemAsync(gone, HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task Resuming_at_a_node_that_does_not_wait_is_not_found()
    {
        var alice = await SignUpAsync();
        var workflow = await alice.WorkflowAsync(Flows.Approval);
        var id = (await alice.RanAsync(workflow))["id"].Text();

        var wrong = await alice.Http.PostAsJsonAsync($"/api/v1/executions/{id}/resume", new { node = "yes", payload = 1 }, Ct);
        var missing = await alice.Http.PostAsJsonAsync($"/api/v1/executions/{id}/resume", new { payload = 1 }, Ct);

        await Expect.ProblemAsync(wrong, HttpStatusCode.NotFound, "not-found");
        Assert.Equal(["node"], Expect.ErrorPaths(await Expect.ProblemAsync(missing, HttpStatusCode.UnprocessableEntity, "validation")));
        Assert.Equal("waiting", (await alice.ExecutionAsync(id))["status"].Text());
    }

    [Fact]
    public async Task A_running_execution_is_not_deleted_until_cancelled()
    {
        var alice = await SignUpAsync();
        var workflow = await alice.WorkflowAsync(Flows.Slow);
        var id = (await Expect.JsonAsync(await alice.RunAsync(workflow, wait: false), HttpStatusCode.Accepted))["id"].Text();

        var refused = await alice.Http.DeleteAsync($"/api/v1/executions/{id}", Ct);
        await Expect.JsonAsync(await alice.Http.PostAsync($"/api/v1/executions/{id}/cancel", null, Ct));
        var deleted = await alice.Http.DeleteAsync($"/api/v1/executions/{id}", Ct);

        await Expect.ProblemAsync(refused, HttpStatusCode.Conflict, "execution-running");
        deleted.Is(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task A_run_from_a_node_runs_only_what_is_downstream_with_pinned_upstream_outputs()
    {
        var alice = await SignUpAsync();
        var workflow = await alice.WorkflowAsync(Flows.Double);

        var ran = await alice.RanAsync(workflow, new { fromNode = "done", pinned = new { @double = 50 } });

        Assert.Equal("succeeded", ran["status"].Text());
        Assert.Equal(["done"], Runs.NodeIds(ran));
        Assert.Equal(50, ran["result"]!["doubled"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_run_from_a_node_takes_upstream_outputs_from_an_earlier_execution()
    {
        var alice = await SignUpAsync();
        var workflow = await alice.WorkflowAsync(Flows.Double);
        var earlier = await alice.RanAsync(workflow, new { input = new { n = 5 } });
        var etag = await alice.ETagOfDraftAsync(workflow);
        (await alice.PutDraftAsync(workflow, Flows.Triple, etag)).Is(HttpStatusCode.OK);

        var ran = await alice.RanAsync(workflow, new { fromNode = "double", fromExecution = earlier["id"].Text() });

        Assert.Equal(["double", "done"], Runs.NodeIds(ran));
        Assert.Equal(15, ran["result"]!["doubled"]!.GetValue<int>());
    }

    [Fact]
    public async Task Secret_values_appear_in_no_answer()
    {
        const string Value = "tok-5e4d3c2b1a";
        var alice = await SignUpAsync();
        var project = await alice.CreateProjectAsync();
        var workflow = await alice.CreateWorkflowAsync(project, "secret", Flows.Secret);
        (await alice.Http.PutAsJsonAsync($"/api/v1/projects/{project}/stages/dev/secrets/apiKey", new { value = Value }, Ct)).Is(HttpStatusCode.Created);

        var ran = await alice.RunAsync(workflow);
        var ranText = await ran.Content.ReadAsStringAsync(Ct);
        var id = JsonNode.Parse(ranText)!["id"].Text();
        var read = await alice.Http.GetStringAsync($"/api/v1/executions/{id}", Ct);
        var list = await alice.Http.GetStringAsync("/api/v1/executions", Ct);

        ran.Is(HttpStatusCode.OK);
        Assert.Contains("Bearer ***", ranText, StringComparison.Ordinal);
        Assert.All([ranText, read, list], text => Assert.DoesNotContain(Value, text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_user_lists_the_executions_of_every_organisation_they_belong_to_and_an_api_key_only_its_own()
    {
        var alice = await SignUpAsync();
        var bob = await Member.SignUpAsync(server);
        await Support.Accounts.AddMemberAsync(bob.Http, bob.OrgId, alice.Email, "viewer");
        var inBobs = (await bob.RanAsync(await bob.WorkflowAsync(Flows.Double)))["id"].Text();
        var inAlices = (await alice.RanAsync(await alice.WorkflowAsync(Flows.Double)))["id"].Text();
        var key = server.ClientWithApiKey(await Support.Accounts.CreateApiKeyAsync(alice.Http, alice.OrgId, "workflows:read"));

        var asAlice = await Expect.JsonAsync(await alice.Http.GetAsync("/api/v1/executions", Ct));
        var asKey = await Expect.JsonAsync(await key.GetAsync("/api/v1/executions", Ct));
        var asBob = await Expect.JsonAsync(await bob.Http.GetAsync("/api/v1/executions", Ct));

        Assert.Equal([inAlices, inBobs], asAlice["items"]!.AsArray().Select(i => i!["id"].Text()));
        Assert.Equal([inAlices], asKey["items"]!.AsArray().Select(i => i!["id"].Text()));
        Assert.Equal([inBobs], asBob["items"]!.AsArray().Select(i => i!["id"].Text()));
        Assert.Null(asKey["next"]);
    }
}

public sealed class RunsOnSqlite(SqliteServer server) : RunsSpec<SqliteServer>(server);

public sealed class RunsOnPostgres(PostgresServer server) : RunsSpec<PostgresServer>(server);
