using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Plexus.Server.Tests.Projects;
using Plexus.Server.Tests.Support;

namespace Plexus.Server.Tests.Router;

/// <summary>Published workflows answering HTTP through the router, over real HTTP; on each database.</summary>
public abstract class RouterSpec<TServer>(TServer server) : IClassFixture<TServer> where TServer : PlexusServer
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string Greet = File.ReadAllText(Path.Combine(RepoRoot(), "examples", "greet.json"));

    private static string RepoRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "Plexus.slnx")))
        {
            dir = Path.GetDirectoryName(dir)!;
        }

        return dir;
    }

    private async Task<Member> SignUpAsync()
    {
        if (server.SkipReason is { } reason)
        {
            Assert.Skip(reason);
        }

        return await Member.SignUpAsync(server);
    }

    /// <summary>A document with one HTTP trigger (extra settings merged in) that replies with <paramref name="reply"/> (a JSON value).</summary>
    private static string Route(string method, string path, string reply, string settings = "", string name = "route") => $$"""
        { "schema": "plexus/workflow@1", "name": "{{name}}",
          "nodes": [
            { "id": "hook", "type": "http.trigger", "settings": { "method": "{{method}}", "path": "{{path}}" {{settings}} } },
            { "id": "reply", "type": "http.response", "settings": { "status": 200, "body": {{reply}} } }
          ],
          "edges": [ { "from": "hook", "to": "reply" } ] }
        """;

    private static async Task<(string Slug, Guid Project)> ProjectAsync(Member member)
    {
        var slug = Member.NewSlug();
        return (slug, await member.CreateProjectAsync(slug));
    }

    private static async Task PublishAsync(Member member, Guid workflow, string document, string stage = "prod")
    {
        var version = await member.FreezeAsync(workflow, document);
        var published = await member.Http.PostAsJsonAsync($"/api/v1/workflows/{workflow}/publish", new { stage, version }, Ct);
        Assert.Equal(HttpStatusCode.OK, published.StatusCode);
    }

    /// <summary>The recorded execution, once the batched writer has stored it (waits up to 20 s: bounds a hang, times nothing).</summary>
    private static async Task<System.Text.Json.Nodes.JsonObject> RecordedAsync(Member member, string id)
    {
        for (var i = 0; ; i++)
        {
            var answer = await member.Http.GetAsync($"/api/v1/executions/{id}", Ct);
            if (answer.StatusCode != HttpStatusCode.NotFound || i == 400)
            {
                var execution = await Expect.JsonAsync(answer);
                if (execution["status"]!.GetValue<string>() != "running" || i == 400)
                {
                    return execution;
                }
            }

            await Task.Delay(50, Ct);
        }
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private const string GreetBody = """{"name":"bench","numbers":[1,2,3,4,5,6,7,8,9,10]}""";

    [Fact]
    public async Task Greet_published_to_prod_answers_on_the_path_form_with_the_execution_id()
    {
        var alice = await SignUpAsync();
        var (slug, project) = await ProjectAsync(alice);
        var workflow = await alice.CreateWorkflowAsync(project, "greet");
        await PublishAsync(alice, workflow, Greet);

        var answer = await server.CreateClient().PostAsync($"/p/{slug}/prod/hook/42", Json(GreetBody), Ct);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("""{"id":"42","sum":55,"greeting":"Hello, bench!"}""", await answer.Content.ReadAsStringAsync(Ct));
        Assert.Equal("application/json", answer.Content.Headers.ContentType?.MediaType);
        var executionId = Assert.Single(answer.Headers.GetValues("X-Plexus-Execution-Id"));
        var recorded = await RecordedAsync(alice, executionId);
        Assert.Equal("prod", recorded["stage"]!.GetValue<string>());
        Assert.Equal(1, recorded["version"]!.GetValue<int>());
        Assert.Equal("succeeded", recorded["status"]!.GetValue<string>());
        Assert.Equal("bench", recorded["trigger"]!["body"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_subdomain_form_answers_with_the_whole_path_as_the_route()
    {
        var alice = await SignUpAsync();
        var (slug, project) = await ProjectAsync(alice);
        var workflow = await alice.CreateWorkflowAsync(project, "greet");
        await PublishAsync(alice, workflow, Greet);

        var answer = await server.CreateClient().PostAsync(new Uri($"http://{slug}-prod.plexus.localhost/hook/7"), Json(GreetBody), Ct);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("""{"id":"7","sum":55,"greeting":"Hello, bench!"}""", await answer.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Dev_serves_the_current_draft_and_a_saved_draft_answers_at_once()
    {
        var alice = await SignUpAsync();
        var (slug, project) = await ProjectAsync(alice);
        var workflow = await alice.CreateWorkflowAsync(project, "r", Route("GET", "/hello", "\"one\""));
        var client = server.CreateClient();

        var first = await client.GetStringAsync($"/p/{slug}/dev/hello", Ct);
        var saved = await alice.PutDraftAsync(workflow, Route("GET", "/hello", "\"two\""), await alice.ETagOfDraftAsync(workflow));
        var second = await client.GetAsync($"/p/{slug}/dev/hello", Ct);

        Assert.Equal("one", first);
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Equal("two", await second.Content.ReadAsStringAsync(Ct));
        Assert.Equal("text/plain", second.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/p/{slug}/prod/hello", Ct)).StatusCode);
    }

    [Fact]
    public async Task Typed_parameters_and_precedence_literal_then_typed_then_text()
    {
        var alice = await SignUpAsync();
        var (slug, project) = await ProjectAsync(alice);
        await alice.CreateWorkflowAsync(project, "a", Route("GET", "/items/new", "\"literal\"", name: "a"));
        await alice.CreateWorkflowAsync(project, "b", Route("GET", "/items/{id:int}", "\"={{ trigger.params.id + 1 }}\"", name: "b"));
        await alice.CreateWorkflowAsync(project, "c", Route("GET", "/items/{name}", "\"={{ 'text ' + trigger.params.name }}\"", name: "c"));
        await alice.CreateWorkflowAsync(project, "d", Route("GET", "/files/{*rest}", "\"={{ trigger.params.rest }}\"", name: "d"));
        var client = server.CreateClient();

        Assert.Equal("literal", await client.GetStringAsync($"/p/{slug}/dev/items/new", Ct));
        Assert.Equal("42", await client.GetStringAsync($"/p/{slug}/dev/items/41", Ct));
        Assert.Equal("text abc", await client.GetStringAsync($"/p/{slug}/dev/items/abc", Ct));
        Assert.Equal("a/b/c.txt", await client.GetStringAsync($"/p/{slug}/dev/files/a/b/c.txt", Ct));
    }

    [Fact]
    public async Task Unknown_project_stage_or_route_answer_the_same_404_and_a_wrong_method_405_with_allow()
    {
        var alice = await SignUpAsync();
        var (slug, project) = await ProjectAsync(alice);
        await alice.CreateWorkflowAsync(project, "r", Route("GET", "/hello", "\"hi\""));
        var client = server.CreateClient();

        var bodies = new List<string>();
        foreach (var url in new[] { $"/p/nope-{slug}/dev/hello", $"/p/{slug}/nostage/hello", $"/p/{slug}/dev/nothere", $"/p/{slug}/dev/items/x" })
        {
            var answer = await client.GetAsync(url, Ct);
            Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
            bodies.Add(await answer.Content.ReadAsStringAsync(Ct));
        }

        var wrong = await client.DeleteAsync($"/p/{slug}/dev/hello", Ct);

        Assert.Single(bodies.Distinct());
        await Expect.ProblemAsync(wrong, HttpStatusCode.MethodNotAllowed, "method-not-allowed");
        Assert.Contains("GET", wrong.Content.Headers.Allow);
    }

    [Fact]
    public async Task Republishing_swaps_the_answer_to_the_new_version()
    {
        var alice = await SignUpAsync();
        var (slug, project) = await ProjectAsync(alice);
        var workflow = await alice.CreateWorkflowAsync(project, "r");
        await PublishAsync(alice, workflow, Route("GET", "/v", "\"v1\""));
        var client = server.CreateClient();
        var before = await client.GetStringAsync($"/p/{slug}/prod/v", Ct);

        await PublishAsync(alice, workflow, Route("GET", "/v", "\"v2\""));
        var after = await client.GetStringAsync($"/p/{slug}/prod/v", Ct);
        var unpublished = await alice.Http.PostAsJsonAsync($"/api/v1/workflows/{workflow}/unpublish", new { stage = "prod" }, Ct);
        var gone = await client.GetAsync($"/p/{slug}/prod/v", Ct);

        Assert.Equal("v1", before);
        Assert.Equal("v2", after);
        Assert.Equal(HttpStatusCode.NoContent, unpublished.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task Publishing_a_route_that_collides_with_another_workflows_on_the_stage_is_refused_409_naming_both()
    {
        var alice = await SignUpAsync();
        var (slug, project) = await ProjectAsync(alice);
        var first = await alice.CreateWorkflowAsync(project, "first");
        var second = await alice.CreateWorkflowAsync(project, "second");
        await PublishAsync(alice, first, Route("GET", "/orders/{id:int}", "\"first\"", name: "first"));
        await PublishAsync(alice, first, Route("GET", "/orders/{id:int}", "\"first again\"", name: "first"));
        var version = await alice.FreezeAsync(second, Route("GET", "/orders/{n:int}", "\"second\"", name: "second"));

        var refused = await alice.Http.PostAsJsonAsync($"/api/v1/workflows/{second}/publish", new { stage = "prod", version }, Ct);
        var onDev = await server.CreateClient().GetStringAsync($"/p/{slug}/dev/orders/1", Ct);

        var problem = await Expect.ProblemAsync(refused, HttpStatusCode.Conflict, "route-conflict");
        var detail = problem["detail"]!.GetValue<string>();
        Assert.Contains("'first'", detail, StringComparison.Ordinal);
        Assert.Contains("'second'", detail, StringComparison.Ordinal);
        Assert.Contains("/orders/{n:int}", detail, StringComparison.Ordinal);
        Assert.Equal("first again", await server.CreateClient().GetStringAsync($"/p/{slug}/prod/orders/1", Ct));
        Assert.Equal("first again", onDev); // on dev the first workflow by name keeps the route
    }

    [Fact]
    public async Task Publishing_new_versions_under_load_never_answers_404_or_500()
    {
        var alice = await SignUpAsync();
        var (slug, project) = await ProjectAsync(alice);
        var workflow = await alice.CreateWorkflowAsync(project, "r");
        await PublishAsync(alice, workflow, Route("GET", "/v", "\"v1\""));

        using var stop = new CancellationTokenSource();
        var bad = new System.Collections.Concurrent.ConcurrentBag<string>();
        var seen = 0;
        var load = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            var client = server.CreateClient();
            while (!stop.IsCancellationRequested)
            {
                var answer = await client.GetAsync($"/p/{slug}/prod/v", Ct);
                Interlocked.Increment(ref seen);
                if (answer.StatusCode != HttpStatusCode.OK)
                {
                    bad.Add($"{(int)answer.StatusCode}: {await answer.Content.ReadAsStringAsync(Ct)}");
                }
            }
        })).ToList();

        for (var i = 2; i <= 6; i++)
        {
            await PublishAsync(alice, workflow, Route("GET", "/v", $"\"v{i}\""));
        }

        await stop.CancelAsync();
        await Task.WhenAll(load);

        Assert.Empty(bad);
        Assert.True(seen > 10, $"only {seen} requests");
        Assert.Equal("v6", await server.CreateClient().GetStringAsync($"/p/{slug}/prod/v", Ct));
    }

    [Fact]
    public async Task On_postgres_a_publish_on_one_replica_swaps_the_route_on_another()
    {
        var alice = await SignUpAsync();
        if (server.Provider != "postgres")
        {
            Assert.Skip("LISTEN/NOTIFY is PostgreSQL's");
        }

        var (slug, project) = await ProjectAsync(alice);
        var workflow = await alice.CreateWorkflowAsync(project, "r");
        await PublishAsync(alice, workflow, Route("GET", "/v", "\"v1\""));
        await using var replica = server.Replica();
        var other = replica.CreateClient();
        Assert.Equal("v1", await other.GetStringAsync($"/p/{slug}/prod/v", Ct));

        await PublishAsync(alice, workflow, Route("GET", "/v", "\"v2\""));
        var seen = "";
        for (var i = 0; i < 100 && seen != "v2"; i++)
        {
            seen = await other.GetStringAsync($"/p/{slug}/prod/v", Ct);
            if (seen != "v2")
            {
                await Task.Delay(50, Ct);
            }
        }

        Assert.Equal("v2", seen);
    }

    [Fact]
    public async Task A_changed_environment_variable_or_secret_is_seen_by_the_next_request_on_every_replica()
    {
        var alice = await SignUpAsync();
        var (slug, project) = await ProjectAsync(alice);
        var workflow = await alice.CreateWorkflowAsync(project, "r");
        await SetStageValueAsync(alice, project, "env/GREETING", "hello");
        await SetStageValueAsync(alice, project, "secrets/TOKEN", "s1");
        await PublishAsync(alice, workflow, Route("GET", "/v", "\"={{ env.GREETING + ' ' + secret('TOKEN') }}\""));
        var url = $"/p/{slug}/prod/v";
        await using var replica = server.Provider == "postgres" ? server.Replica() : null;
        var clients = replica is null ? [server.CreateClient()] : new[] { server.CreateClient(), replica.CreateClient() };
        foreach (var client in clients)
        {
            Assert.Equal("hello s1", await client.GetStringAsync(url, Ct));
        }

        await SetStageValueAsync(alice, project, "env/GREETING", "bonjour");
        await SetStageValueAsync(alice, project, "secrets/TOKEN", "s2");

        Assert.Equal("bonjour s2", await server.CreateClient().GetStringAsync(url, Ct));
        foreach (var client in clients)
        {
            Assert.Equal("bonjour s2", await EventuallyAsync(client, url, "bonjour s2"));
        }

        var deleted = await alice.Http.DeleteAsync($"/api/v1/projects/{project}/stages/prod/env/GREETING", Ct);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.DoesNotContain("bonjour", await server.CreateClient().GetStringAsync(url, Ct), StringComparison.Ordinal);
    }

    private static async Task SetStageValueAsync(Member member, Guid project, string what, string value)
    {
        var answer = await member.Http.PutAsJsonAsync($"/api/v1/projects/{project}/stages/prod/{what}", new { value }, Ct);
        Assert.True(answer.IsSuccessStatusCode, $"PUT {what}: {(int)answer.StatusCode}");
    }

    /// <summary>What the route answers once it answers <paramref name="expected"/>, or its last answer after 20 seconds.</summary>
    private static async Task<string> EventuallyAsync(HttpClient client, string url, string expected)
    {
        var seen = "";
        for (var i = 0; i < 400 && seen != expected; i++)
        {
            seen = await client.GetStringAsync(url, Ct);
            if (seen != expected)
            {
                await Task.Delay(50, Ct);
            }
        }

        return seen;
    }

    [Fact]
    public async Task Bad_input_malformed_json_400_oversize_413()
    {
        var alice = await SignUpAsync();
        var (slug, project) = await ProjectAsync(alice);
        await alice.CreateWorkflowAsync(project, "r", Route("POST", "/in", "\"ok\"", """, "maxBodyBytes": 100"""));
        var client = server.CreateClient();

        var malformed = await client.PostAsync($"/p/{slug}/dev/in", Json("{ nope"), Ct);
        var oversize = await client.PostAsync($"/p/{slug}/dev/in", Json("\"" + new string('x', 200) + "\""), Ct);
        var fine = await client.PostAsync($"/p/{slug}/dev/in", Json("{}"), Ct);

        await Expect.ProblemAsync(malformed, HttpStatusCode.BadRequest, "malformed-json");
        await Expect.ProblemAsync(oversize, HttpStatusCode.RequestEntityTooLarge, "body-too-large");
        Assert.Equal(HttpStatusCode.OK, fine.StatusCode);
    }

    [Fact]
    public async Task Bodies_without_a_length_are_read_whole_and_held_to_the_limit()
    {
        var alice = await SignUpAsync();
        var (slug, project) = await ProjectAsync(alice);
        await alice.CreateWorkflowAsync(project, "r", Route("POST", "/in", "\"={{ trigger.body.text.length }}\"", """, "maxBodyBytes": 20000"""));
        var client = server.CreateClient();
        static HttpContent Chunked(string json)
        {
            // A stream of unknown length: sent chunked, without Content-Length.
            var content = new StreamContent(new NoLengthStream(Encoding.UTF8.GetBytes(json)));
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            return content;
        }

        var whole = await client.PostAsync($"/p/{slug}/dev/in", Chunked($$"""{"text":"{{new string('x', 15000)}}"}"""), Ct);
        var over = await client.PostAsync($"/p/{slug}/dev/in", Chunked($$"""{"text":"{{new string('x', 25000)}}"}"""), Ct);

        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal("15000", await whole.Content.ReadAsStringAsync(Ct));
        await Expect.ProblemAsync(over, HttpStatusCode.RequestEntityTooLarge, "body-too-large");
    }

    /// <summary>A readable stream that does not tell its length, so that HttpClient sends it chunked.</summary>
    private sealed class NoLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }

    [Fact]
    public async Task A_run_without_a_response_answers_500_with_the_execution_id_and_no_internals()
    {
        var alice = await SignUpAsync();
        var (slug, project) = await ProjectAsync(alice);
        await alice.CreateWorkflowAsync(project, "r", """
            { "schema": "plexus/workflow@1", "name": "r",
              "nodes": [
                { "id": "hook", "type": "http.trigger", "settings": { "method": "GET", "path": "/x" } },
                { "id": "boom", "type": "code.js", "settings": { "source": "throw new Error('secret internals')" } }
              ],
              "edges": [ { "from": "hook", "to": "boom" } ] }
            """);

        var answer = await server.CreateClient().GetAsync($"/p/{slug}/dev/x", Ct);

        var problem = await Expect.ProblemAsync(answer, HttpStatusCode.InternalServerError, "route-failed");
        Assert.Equal(Assert.Single(answer.Headers.GetValues("X-Plexus-Execution-Id")), problem["executionId"]!.GetValue<string>());
        Assert.DoesNotContain("secret internals", problem.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_slow_run_answers_504_after_the_route_timeout_and_immediately_answers_202()
    {
        var alice = await SignUpAsync();
        var (slug, project) = await ProjectAsync(alice);
        const string Slow = """
            { "schema": "plexus/workflow@1", "name": "NAME",
              "nodes": [
                { "id": "hook", "type": "http.trigger", "settings": { "method": "GET", "path": "PATH" SETTINGS } },
                { "id": "wait", "type": "flow.wait", "settings": { "mode": "duration", "durationMs": 1500 } },
                { "id": "reply", "type": "http.response", "settings": { "status": 200, "body": "late" } }
              ],
              "edges": [ { "from": "hook", "to": "wait" }, { "from": "wait", "to": "reply" } ] }
            """;
        await alice.CreateWorkflowAsync(project, "slow", Slow.Replace("NAME", "slow", StringComparison.Ordinal)
            .Replace("PATH", "/slow", StringComparison.Ordinal).Replace("SETTINGS", """, "timeoutMs": 200""", StringComparison.Ordinal));
        await alice.CreateWorkflowAsync(project, "later", Slow.Replace("NAME", "later", StringComparison.Ordinal)
            .Replace("PATH", "/later", StringComparison.Ordinal).Replace("SETTINGS", """, "respond": "immediately" """, StringComparison.Ordinal));
        var client = server.CreateClient();

        var timedOut = await client.GetAsync($"/p/{slug}/dev/slow", Ct);
        var accepted = await client.GetAsync($"/p/{slug}/dev/later", Ct);

        var problem = await Expect.ProblemAsync(timedOut, HttpStatusCode.GatewayTimeout, "route-timeout");
        Assert.NotNull(problem["executionId"]);
        var body = await Expect.JsonAsync(accepted, HttpStatusCode.Accepted);
        var id = body["executionId"]!.GetValue<string>();
        Assert.Equal($"/api/v1/executions/{id}", body["statusUrl"]!.GetValue<string>());
        Assert.Equal(id, Assert.Single(accepted.Headers.GetValues("X-Plexus-Execution-Id")));
    }

    [Fact]
    public async Task A_route_run_still_going_after_a_second_is_listed_as_running_and_then_as_what_it_became()
    {
        var alice = await SignUpAsync();
        var (slug, project) = await ProjectAsync(alice);
        await alice.CreateWorkflowAsync(project, "slow", """
            { "schema": "plexus/workflow@1", "name": "slow",
              "nodes": [
                { "id": "hook", "type": "http.trigger", "settings": { "method": "GET", "path": "/slow" } },
                { "id": "wait", "type": "flow.wait", "settings": { "mode": "duration", "durationMs": 5000 } },
                { "id": "reply", "type": "http.response", "settings": { "status": 200, "body": "late" } }
              ],
              "edges": [ { "from": "hook", "to": "wait" }, { "from": "wait", "to": "reply" } ] }
            """);

        var call = server.CreateClient().GetAsync($"/p/{slug}/dev/slow", Ct);
        System.Text.Json.Nodes.JsonNode? running = null;
        for (var i = 0; i < 50 && running is null; i++)
        {
            await Task.Delay(100, Ct);
            var list = await Expect.JsonAsync(await alice.Http.GetAsync("/api/v1/executions?status=running", Ct));
            running = list["items"]!.AsArray().FirstOrDefault();
        }

        var answer = await call;
        Assert.NotNull(running);
        Assert.Equal("running", running["status"]!.GetValue<string>());
        var id = Assert.Single(answer.Headers.GetValues("X-Plexus-Execution-Id"));
        Assert.Equal(id, running["id"]!.GetValue<string>());
        Assert.Equal("late", await answer.Content.ReadAsStringAsync(Ct));
        Assert.Equal("succeeded", (await RecordedAsync(alice, id))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_caller_is_answered_as_soon_as_the_response_is_decided_while_the_run_goes_on()
    {
        var alice = await SignUpAsync();
        var (slug, project) = await ProjectAsync(alice);
        await alice.CreateWorkflowAsync(project, "early", """
            { "schema": "plexus/workflow@1", "name": "early",
              "nodes": [
                { "id": "hook", "type": "http.trigger", "settings": { "method": "POST", "path": "/order" } },
                { "id": "reply", "type": "http.response", "settings": { "status": 202, "body": { "accepted": true } } },
                { "id": "work", "type": "flow.wait", "settings": { "mode": "duration", "durationMs": 6000 } },
                { "id": "done", "type": "flow.return", "settings": { "value": "done" } }
              ],
              "edges": [ { "from": "hook", "to": "reply" }, { "from": "reply", "to": "work" }, { "from": "work", "to": "done" } ] }
            """);

        var answer = await server.CreateClient().PostAsync($"/p/{slug}/dev/order", Json("{}"), Ct);

        Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
        Assert.Equal("""{"accepted":true}""", await answer.Content.ReadAsStringAsync(Ct));
        var id = Assert.Single(answer.Headers.GetValues("X-Plexus-Execution-Id"));
        var seenRunning = false;
        for (var i = 0; i < 50 && !seenRunning; i++)
        {
            var execution = await alice.Http.GetAsync($"/api/v1/executions/{id}", Ct);
            seenRunning = execution.IsSuccessStatusCode && (await Expect.JsonAsync(execution))["status"]!.GetValue<string>() == "running";
            await Task.Delay(100, Ct);
        }

        Assert.True(seenRunning, "the run was over by the time the caller was answered");
        var recorded = await RecordedAsync(alice, id);
        Assert.Equal("succeeded", recorded["status"]!.GetValue<string>());
        Assert.Equal("done", recorded["result"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_correlation_id_is_accepted_echoed_and_stored_or_generated()
    {
        var alice = await SignUpAsync();
        var (slug, project) = await ProjectAsync(alice);
        await alice.CreateWorkflowAsync(project, "r", Route("GET", "/c", "\"={{ trigger.query.q }}\""));
        var client = server.CreateClient();

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/p/{slug}/dev/c?q=hi");
        request.Headers.Add("X-Correlation-Id", "order-17.a_b");
        var given = await client.SendAsync(request, Ct);
        using var invalid = new HttpRequestMessage(HttpMethod.Get, $"/p/{slug}/dev/c?q=hi");
        invalid.Headers.Add("X-Correlation-Id", "bad id!");
        var generated = await client.SendAsync(invalid, Ct);

        Assert.Equal("hi", await given.Content.ReadAsStringAsync(Ct));
        Assert.Equal("order-17.a_b", Assert.Single(given.Headers.GetValues("X-Correlation-Id")));
        var stored = await RecordedAsync(alice, Assert.Single(given.Headers.GetValues("X-Plexus-Execution-Id")));
        Assert.Equal("order-17.a_b", stored["correlationId"]!.GetValue<string>());
        Assert.NotEqual("bad id!", Assert.Single(generated.Headers.GetValues("X-Correlation-Id")));
    }

    [Fact]
    public async Task The_pixel_example_answers_its_png_bytes_and_sets_the_cookie()
    {
        var alice = await SignUpAsync();
        var (slug, project) = await ProjectAsync(alice);
        var workflow = await alice.CreateWorkflowAsync(project, "pixel");
        await PublishAsync(alice, workflow, File.ReadAllText(Path.Combine(RepoRoot(), "examples", "pixel.json")));

        var answer = await server.CreateClient().GetAsync($"/p/{slug}/prod/pixel.png?visitor=ada", Ct);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("image/png", answer.Content.Headers.ContentType?.ToString());
        Assert.Equal(
            Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="),
            await answer.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal(["visitor=ada; Path=/; Max-Age=86400; HttpOnly; SameSite=Lax"], answer.Headers.GetValues("Set-Cookie"));
        Assert.Equal("no-store", answer.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task A_binary_upload_echoed_with_base64_comes_back_byte_for_byte_with_cookies()
    {
        var alice = await SignUpAsync();
        var (slug, project) = await ProjectAsync(alice);
        await alice.CreateWorkflowAsync(project, "r", """
            { "schema": "plexus/workflow@1", "name": "r",
              "nodes": [
                { "id": "hook", "type": "http.trigger", "settings": { "method": "POST", "path": "/echo" } },
                { "id": "reply", "type": "http.response", "settings": { "bodyEncoding": "base64", "body": "={{ trigger.body }}",
                    "cookies": { "a": "1", "b": { "value": "2", "secure": true, "sameSite": "strict" } } } }
              ],
              "edges": [ { "from": "hook", "to": "reply" } ] }
            """);
        var sent = new byte[] { 0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0x80, 0x0a };
        using var content = new ByteArrayContent(sent);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/pdf");

        var answer = await server.CreateClient().PostAsync($"/p/{slug}/dev/echo", content, Ct);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("application/pdf", answer.Content.Headers.ContentType?.MediaType);
        Assert.Equal(sent, await answer.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal(["a=1", "b=2; Secure; SameSite=Strict"], answer.Headers.GetValues("Set-Cookie"));
    }

    [Fact]
    public async Task Invalid_base64_or_a_broken_cookie_fail_the_run_500_with_the_execution_id_and_the_error_recorded()
    {
        var alice = await SignUpAsync();
        var (slug, project) = await ProjectAsync(alice);
        await alice.CreateWorkflowAsync(project, "a", Route("GET", "/bytes", "\"={{ trigger.query.b }}\"", name: "a").Replace(
            "\"status\": 200,", "\"status\": 200, \"bodyEncoding\": \"base64\",", StringComparison.Ordinal));
        await alice.CreateWorkflowAsync(project, "b", Route("GET", "/cookie", "\"ok\"", name: "b").Replace(
            "\"status\": 200,", "\"status\": 200, \"cookies\": { \"c\": \"={{ trigger.query.v }}\" },", StringComparison.Ordinal));
        var client = server.CreateClient();

        var bytes = await client.GetAsync($"/p/{slug}/dev/bytes?b=not%20base64!", Ct);
        var cookie = await client.GetAsync($"/p/{slug}/dev/cookie?v=a%20b", Ct);

        foreach (var (answer, error) in new[]
        {
            (bytes, "settings.body: is not valid base64"),
            (cookie, "settings.cookies.c: may not hold spaces, quotes, commas, semicolons, backslashes or non-ASCII characters; encode it (encodeURIComponent)"),
        })
        {
            var problem = await Expect.ProblemAsync(answer, HttpStatusCode.InternalServerError, "route-failed");
            var id = problem["executionId"]!.GetValue<string>();
            Assert.Equal(id, Assert.Single(answer.Headers.GetValues("X-Plexus-Execution-Id")));
            Assert.False(answer.Headers.Contains("Set-Cookie"));
            var recorded = await RecordedAsync(alice, id);
            Assert.Equal("failed", recorded["status"]!.GetValue<string>());
            Assert.Equal(error, recorded["error"]!["message"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Every_log_line_of_a_route_run_carries_its_correlation_and_execution_ids()
    {
        var alice = await SignUpAsync();
        var (slug, project) = await ProjectAsync(alice);
        var marker = Guid.NewGuid().ToString("n");
        // The node's HTTP client logs its request; the call fails, the run ends without a response, and the router logs that.
        await alice.CreateWorkflowAsync(project, "r", $$"""
            { "schema": "plexus/workflow@1", "name": "r",
              "nodes": [
                { "id": "hook", "type": "http.trigger", "settings": { "method": "GET", "path": "/logged" } },
                { "id": "fetch", "type": "http.request", "settings": { "url": "http://127.0.0.1:9/u{{marker}}" } }
              ],
              "edges": [ { "from": "hook", "to": "fetch" } ] }
            """);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/p/{slug}/dev/logged");
        request.Headers.Add("X-Correlation-Id", "c-" + marker);

        var answer = await server.CreateClient().SendAsync(request, Ct);

        await Expect.ProblemAsync(answer, HttpStatusCode.InternalServerError, "route-failed");
        var executionId = Assert.Single(answer.Headers.GetValues("X-Plexus-Execution-Id"));
        var lines = server.Logs.Lines.Where(l => l.Contains("127.0.0.1:9/u" + marker, StringComparison.Ordinal)
            || l.Contains("Route GET /logged answered 500", StringComparison.Ordinal)).ToList();
        Assert.Contains(lines, l => l.StartsWith("System.Net.Http.HttpClient.plexus.nodes", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Plexus.Server.Features.Router.RouterMiddleware Warning: Route GET /logged answered 500: its run ended failed",
            StringComparison.Ordinal));
        Assert.All(lines, l => Assert.Contains($"=> CorrelationId:c-{marker} ExecutionId:{executionId}", l, StringComparison.Ordinal));
    }

    [Fact]
    public void The_server_console_shows_the_scopes_of_a_line()
    {
        if (server.SkipReason is { } reason)
        {
            Assert.Skip(reason);
        }

        // The formatter the console logger of the running server writes with, as that logger has configured it.
        _ = server.Services.GetServices<ILoggerProvider>().OfType<ConsoleLoggerProvider>().Single();
        var formatter = server.Services.GetServices<ConsoleFormatter>().Single(f => f.Name == ConsoleFormatterNames.Simple);
        var scopes = new LoggerExternalScopeProvider();
        using var scope = scopes.Push("CorrelationId:c-1 ExecutionId:e-1");
        using var console = new StringWriter();

        formatter.Write(new LogEntry<string>(LogLevel.Warning, "Plexus.Test", default, "a line", null, (state, _) => state), scopes, console);

        Assert.Contains("=> CorrelationId:c-1 ExecutionId:e-1", console.ToString(), StringComparison.Ordinal);
    }

    /// <summary>Which calls a policy keeps: <c>all</c> both, <c>errors</c> the failed one, <c>none</c> neither.</summary>
    private static IEnumerable<string> Kept(string policy, string stage) => policy switch
    {
        "all" => [$"{stage} succeeded", $"{stage} failed"],
        "errors" => [$"{stage} failed"],
        _ => [],
    };

    [Theory]
    [InlineData("all", null)]
    [InlineData("errors", null)]
    [InlineData("none", null)]
    [InlineData("all", "none")]
    [InlineData("all", "errors")]
    [InlineData("none", "errors")]
    [InlineData("errors", "all")]
    public async Task Route_calls_are_stored_by_the_workflows_save_policy_or_the_stages_override(string policy, string? prodPolicy)
    {
        var alice = await SignUpAsync();
        var (slug, project) = await ProjectAsync(alice);
        const string Document = """
            { "schema": "plexus/workflow@1", "name": "saved",
              "nodes": [
                { "id": "hook", "type": "http.trigger", "settings": { "method": "GET", "path": "/saved" } },
                { "id": "check", "type": "code.js", "settings": { "source": "if (input.query.fail) throw new Error('asked to fail'); return 1" } },
                { "id": "reply", "type": "http.response", "settings": { "body": "ok" } }
              ],
              "edges": [ { "from": "hook", "to": "check" }, { "from": "check", "to": "reply" } ] }
            """;
        var workflow = await alice.CreateWorkflowAsync(project, "saved", Document);
        await PublishAsync(alice, workflow, Document);
        var changed = await alice.Http.PatchAsJsonAsync($"/api/v1/workflows/{workflow}",
            new { savePolicy = policy, stageSavePolicies = prodPolicy is null ? null : new Dictionary<string, string?> { ["prod"] = prodPolicy } }, Ct);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var client = server.CreateClient();

        var calls = new Dictionary<string, string>();
        foreach (var stage in new[] { "dev", "prod" })
        {
            foreach (var fail in new[] { false, true })
            {
                var answer = await client.GetAsync($"/p/{slug}/{stage}/saved" + (fail ? "?fail=1" : ""), Ct);
                Assert.Equal(fail ? HttpStatusCode.InternalServerError : HttpStatusCode.OK, answer.StatusCode);
                calls[Assert.Single(answer.Headers.GetValues("X-Plexus-Execution-Id"))] = $"{stage} {(fail ? "failed" : "succeeded")}";
            }
        }

        // A caller is answered once the response node has run: the run (and the queueing of its record) may still be ending.
        var active = server.Services.GetRequiredService<Plexus.Server.Features.Executions.ActiveExecutions>();
        for (var i = 0; i < 200 && calls.Keys.Any(id => active.IsRunning(Guid.Parse(id))); i++)
        {
            await Task.Delay(25, Ct);
        }

        await server.Services.GetRequiredService<Plexus.Server.Infrastructure.ExecutionStore.ExecutionRecorder>().FlushAsync(Ct);
        var listed = await Expect.JsonAsync(await alice.Http.GetAsync($"/api/v1/executions?workflowId={workflow}&limit=100", Ct));

        var stored = listed["items"]!.AsArray().Select(e => e!).ToList();
        Assert.All(stored, e => Assert.Equal(calls[e["id"]!.GetValue<string>()], $"{e["stage"]!.GetValue<string>()} {e["status"]!.GetValue<string>()}"));
        Assert.Equal(
            Kept(policy, "dev").Concat(Kept(prodPolicy ?? policy, "prod")).Order(),
            stored.Select(e => calls[e["id"]!.GetValue<string>()]).Order());
    }

    [Fact]
    public async Task A_rate_limited_route_answers_429_with_retry_after()
    {
        var alice = await SignUpAsync();
        var (slug, project) = await ProjectAsync(alice);
        await alice.CreateWorkflowAsync(project, "r", Route("GET", "/rl", "\"ok\"", """, "rateLimit": { "permitPerMinute": 2 }"""));
        var client = server.CreateClient();

        var first = await client.GetAsync($"/p/{slug}/dev/rl", Ct);
        var second = await client.GetAsync($"/p/{slug}/dev/rl", Ct);
        var third = await client.GetAsync($"/p/{slug}/dev/rl", Ct);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        await Expect.ProblemAsync(third, HttpStatusCode.TooManyRequests, "rate-limited");
        Assert.NotNull(third.Headers.RetryAfter);
    }

    [Fact]
    public async Task Auth_api_key_needs_a_key_of_the_organisation_with_routes_invoke()
    {
        var alice = await SignUpAsync();
        var bob = await SignUpAsync();
        var (slug, project) = await ProjectAsync(alice);
        await alice.CreateWorkflowAsync(project, "r", Route("GET", "/k", "\"in\"", """, "auth": "apiKey" """));
        var url = $"/p/{slug}/dev/k";
        var good = await Support.Accounts.CreateApiKeyAsync(alice.Http, alice.OrgId, "routes:invoke");
        var narrow = await Support.Accounts.CreateApiKeyAsync(alice.Http, alice.OrgId, "workflows:read");
        var foreign = await Support.Accounts.CreateApiKeyAsync(bob.Http, bob.OrgId, "routes:invoke");

        Assert.Equal(HttpStatusCode.Unauthorized, (await server.CreateClient().GetAsync(url, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.ClientWithApiKey(foreign).GetAsync(url, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await alice.Http.GetAsync(url, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await server.ClientWithApiKey(narrow).GetAsync(url, Ct)).StatusCode);
        Assert.Equal("in", await server.ClientWithApiKey(good).GetStringAsync(url, Ct));
    }

    [Fact]
    public async Task Auth_jwt_needs_an_access_token_of_a_member()
    {
        var alice = await SignUpAsync();
        var bob = await SignUpAsync();
        var (slug, project) = await ProjectAsync(alice);
        await alice.CreateWorkflowAsync(project, "r", Route("GET", "/j", "\"in\"", """, "auth": "jwt" """));
        var url = $"/p/{slug}/dev/j";

        Assert.Equal(HttpStatusCode.Unauthorized, (await server.CreateClient().GetAsync(url, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await bob.Http.GetAsync(url, Ct)).StatusCode);
        Assert.Equal("in", await alice.Http.GetStringAsync(url, Ct));
    }

    [Fact]
    public async Task Cors_preflight_is_answered_for_allowed_origins()
    {
        var alice = await SignUpAsync();
        var (slug, project) = await ProjectAsync(alice);
        await alice.CreateWorkflowAsync(project, "r", Route("POST", "/x", "\"ok\"", """, "cors": { "origins": ["https://app.example"], "headers": ["content-type"] }"""));
        var client = server.CreateClient();

        using var preflight = new HttpRequestMessage(HttpMethod.Options, $"/p/{slug}/dev/x");
        preflight.Headers.Add("Origin", "https://app.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        var answer = await client.SendAsync(preflight, Ct);
        using var other = new HttpRequestMessage(HttpMethod.Options, $"/p/{slug}/dev/x");
        other.Headers.Add("Origin", "https://evil.example");
        other.Headers.Add("Access-Control-Request-Method", "POST");
        var refused = await client.SendAsync(other, Ct);

        Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
        Assert.Equal("https://app.example", Assert.Single(answer.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Contains("POST", Assert.Single(answer.Headers.GetValues("Access-Control-Allow-Methods")), StringComparison.Ordinal);
        Assert.NotEqual(HttpStatusCode.NoContent, refused.StatusCode);
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
    }
}

public sealed class RouterOnSqlite(SqliteServer server) : RouterSpec<SqliteServer>(server);

public sealed class RouterOnPostgres(PostgresServer server) : RouterSpec<PostgresServer>(server);
