using System.Text.Json.Nodes;
using Plexus.Cli;
using static Plexus.Engine.Tests.Cli.PlexusCli;

namespace Plexus.Engine.Tests.Cli;

/// <summary><c>plexus run</c>: inputs, requests, output forms, blueprints and cancellation.</summary>
public sealed class RunCommandTests : IDisposable
{
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    private string Workflow(string name, string nodes, string edges, string extra = "") => _files.Write(name + ".json", $$"""
        {
          "schema": "plexus/workflow@1",
          "name": "{{name}}",{{extra}}
          "nodes": [ {{nodes}} ],
          "edges": [ {{edges}} ]
        }
        """);

    [Fact]
    public async Task Json_output_is_one_object_with_every_field()
    {
        var run = (await RunAsync("run", Example("greet.json"), "--request", "POST /hook/42", "--body", """{"name":"x","numbers":[1]}""", "--json"))
            .Exits(ExitCodes.Ok);

        var json = run.Json;
        foreach (var field in new[] { "status", "result", "response", "error", "nodes", "waits" })
        {
            Assert.True(json.ContainsKey(field), $"missing field '{field}' in {run.Stdout}");
        }

        Assert.Equal("succeeded", json["status"]!.GetValue<string>());
        Assert.Null(json["error"]);
        Assert.True(json["response"]!.AsObject().ContainsKey("headers"));
        var nodes = json["nodes"]!.AsArray();
        Assert.Equal(["hook", "sum", "reply"], nodes.Select(n => n!["nodeId"]!.GetValue<string>()));
        foreach (var node in nodes)
        {
            foreach (var field in new[] { "nodeId", "type", "status", "attempts", "durationMs", "input", "output", "error" })
            {
                Assert.True(node!.AsObject().ContainsKey(field), $"missing node field '{field}' in {node}");
            }
        }

        Assert.Equal(1, nodes[1]!["output"]!["sum"]!.GetValue<int>());
        Assert.Equal("", run.Stderr);
    }

    [Fact]
    public async Task A_run_without_a_response_has_response_null()
    {
        var run = (await RunAsync("run", Example("hello.json"), "--json")).Exits(ExitCodes.Ok);

        Assert.True(run.Json.ContainsKey("response"));
        Assert.Null(run.Json["response"]);
    }

    [Fact]
    public async Task Input_replaces_the_default_test_input()
    {
        var run = (await RunAsync("run", Example("hello.json"), "--input", """{"name":"Plexus"}""", "--json")).Exits(ExitCodes.Ok);

        AssertJson("""{"greeting":"Hello, Plexus!","length":6}""", run.Json["result"]);
    }

    [Fact]
    public async Task Input_may_come_from_a_file()
    {
        var input = _files.Write("input.json", """{ "name": "file" }""");

        var run = (await RunAsync("run", Example("hello.json"), "--input", "@" + input, "--json")).Exits(ExitCodes.Ok);

        AssertJson("""{"greeting":"Hello, file!","length":4}""", run.Json["result"]);
    }

    [Fact]
    public async Task A_request_becomes_the_trigger_input_with_typed_params_query_lowercased_headers_and_body()
    {
        var file = Workflow("echo", """
            { "id": "list", "type": "http.trigger", "settings": { "method": "GET", "path": "/items" } },
            { "id": "item", "type": "http.trigger", "settings": { "method": "PUT", "path": "/items/{id:int}/{*rest}" } },
            { "id": "done", "type": "flow.return" }
            """, """{ "from": "list", "to": "done" }, { "from": "item", "to": "done" }""");

        var run = (await RunAsync("run", file, "--request", "put /items/17/a/b%20c?x=1&y=two+words&x=3",
            "--header", "X-Trace-Id: abc", "--header", "Content-Type:text/plain", "--body", "plain text", "--json")).Exits(ExitCodes.Ok);

        AssertJson("""
            {
              "method": "PUT",
              "path": "/items/17/a/b%20c",
              "params": { "id": 17, "rest": "a/b c" },
              "query": { "x": "1,3", "y": "two words" },
              "headers": { "x-trace-id": "abc", "content-type": "text/plain" },
              "body": "plain text"
            }
            """, run.Json["result"]);
        var statuses = run.Json["nodes"]!.AsArray().ToDictionary(n => n!["nodeId"]!.GetValue<string>(), n => n!["status"]!.GetValue<string>());
        Assert.Equal("skipped", statuses["list"]);
        Assert.Equal("succeeded", statuses["item"]);
    }

    [Fact]
    public async Task A_request_body_may_come_from_a_file()
    {
        var body = _files.Write("body.json", """{ "name": "disk", "numbers": [20, 22] }""");

        var run = (await RunAsync("run", Example("greet.json"), "--request", "POST /hook/9", "--body", "@" + body, "--json")).Exits(ExitCodes.Ok);

        AssertJson("""{"id":"9","sum":42,"greeting":"Hello, disk!"}""", run.Json["response"]!["body"]);
    }

    [Fact]
    public async Task Env_values_reach_expressions()
    {
        var file = Workflow("envy", """
            { "id": "start", "type": "trigger.manual" },
            { "id": "done", "type": "flow.return", "settings": { "value": "={{ env.GREETING + ', ' + env.WHO }}" } }
            """, """{ "from": "start", "to": "done" }""");
        var env = _files.Write("env.json", """{ "GREETING": "Hi", "WHO": "there" }""");

        var run = (await RunAsync("run", file, "--env", "@" + env, "--json")).Exits(ExitCodes.Ok);

        Assert.Equal("Hi, there", run.Json["result"]!.GetValue<string>());
    }

    [Fact]
    public async Task Use_pinned_emits_pinned_data_instead_of_running_the_node()
    {
        var file = Workflow("pinned", """
            { "id": "start", "type": "trigger.manual" },
            { "id": "fetch", "type": "code.js", "settings": { "source": "throw new Error('would call a real service')" } },
            { "id": "done", "type": "flow.return" }
            """, """{ "from": "start", "to": "fetch" }, { "from": "fetch", "to": "done" }""",
            """ "pinned": { "fetch": { "cached": true } }, """);

        var pinned = (await RunAsync("run", file, "--use-pinned", "--json")).Exits(ExitCodes.Ok);
        AssertJson("""{"cached":true}""", pinned.Json["result"]);
        Assert.True(pinned.Json["nodes"]![1]!["pinned"]!.GetValue<bool>());

        var live = (await RunAsync("run", file, "--json")).Exits(ExitCodes.RunFailed);
        Assert.StartsWith("would call a real service", live.Json["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_run_exits_1_and_names_the_error_and_its_node()
    {
        var file = Workflow("failing", """
            { "id": "start", "type": "trigger.manual" },
            { "id": "boom", "type": "flow.fail", "settings": { "message": "no luck" } }
            """, """{ "from": "start", "to": "boom" }""");

        var json = (await RunAsync("run", file, "--json")).Exits(ExitCodes.RunFailed).Json;
        Assert.Equal("failed", json["status"]!.GetValue<string>());
        AssertJson("""{"message":"no luck","type":"fail","node":"boom"}""", json["error"]);

        var human = (await RunAsync("run", file)).Exits(ExitCodes.RunFailed);
        Assert.Contains("no luck (fail) at node 'boom'", human.Stdout, StringComparison.Ordinal);
        Assert.Contains("error: no luck", human.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Trace_prints_live_events_to_stderr_and_leaves_stdout_one_json_object()
    {
        var run = (await RunAsync("run", Example("hello.json"), "--trace", "--json")).Exits(ExitCodes.Ok);

        Assert.Equal("succeeded", run.Json["status"]!.GetValue<string>());
        var lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, l => Assert.StartsWith("trace ", l, StringComparison.Ordinal));
        Assert.Contains("run.started", lines[0], StringComparison.Ordinal);
        Assert.Contains("run.finished", lines[^1], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.Contains("node.started  #2 greet", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("node.finished #2 greet succeeded", StringComparison.Ordinal)
            && l.Contains("""→ {"greeting":"Hello, world!","length":5}""", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Trace_names_the_blueprint_for_events_of_a_called_run()
    {
        var run = (await RunAsync("run", Example("call.json"), "--trace")).Exits(ExitCodes.Ok);

        Assert.Contains(run.Stderr.Split('\n'), l => l.Contains("double › node.finished #2 result succeeded", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_missing_blueprint_fails_the_call()
    {
        var file = Workflow("caller", """
            { "id": "start", "type": "trigger.manual" },
            { "id": "call", "type": "flow.call", "settings": { "workflow": "nowhere" } }
            """, """{ "from": "start", "to": "call" }""");

        var json = (await RunAsync("run", file, "--json")).Exits(ExitCodes.RunFailed).Json;

        Assert.Equal("call", json["error"]!["node"]!.GetValue<string>());
        Assert.StartsWith("blueprint 'nowhere' not found: file not found: ", json["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_blueprint_fails_the_call_with_its_problems()
    {
        var file = Workflow("caller", """
            { "id": "start", "type": "trigger.manual" },
            { "id": "call", "type": "flow.call", "settings": { "workflow": "broken" } }
            """, """{ "from": "start", "to": "call" }""");
        Workflow("broken", """{ "id": "start", "type": "trigger.manual" }""", """{ "from": "start", "to": "ghost" }""");

        var json = (await RunAsync("run", file, "--json")).Exits(ExitCodes.RunFailed).Json;

        var message = json["error"]!["message"]!.GetValue<string>();
        Assert.StartsWith("blueprint 'broken' (", message, StringComparison.Ordinal);
        Assert.EndsWith("is not a valid workflow: edges[0].to: names node 'ghost', which does not exist", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_blueprint_failure_fails_the_call_with_the_blueprint_error()
    {
        var file = Workflow("caller", """
            { "id": "start", "type": "trigger.manual" },
            { "id": "call", "type": "flow.call", "settings": { "workflow": "failing", "input": { "why": "because" } } }
            """, """{ "from": "start", "to": "call" }""");
        Workflow("failing", """
            { "id": "start", "type": "trigger.manual" },
            { "id": "boom", "type": "flow.fail", "settings": { "message": "={{ 'failed ' + input.why }}" } }
            """, """{ "from": "start", "to": "boom" }""", """ "kind": "blueprint", """);

        var json = (await RunAsync("run", file, "--json")).Exits(ExitCodes.RunFailed).Json;

        Assert.Equal("blueprint 'failing' failed at node 'boom': failed because", json["error"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_blueprint_calling_itself_stops_at_the_depth_limit()
    {
        var file = Workflow("forever", """
            { "id": "start", "type": "trigger.manual" },
            { "id": "again", "type": "flow.call", "settings": { "workflow": "forever" } },
            { "id": "done", "type": "flow.return" }
            """, """{ "from": "start", "to": "again" }, { "from": "again", "to": "done" }""");

        var json = (await RunAsync("run", file, "--json")).Exits(ExitCodes.RunFailed).Json;

        var message = json["error"]!["message"]!.GetValue<string>();
        Assert.Contains("calls nest deeper than 16 levels", message, StringComparison.Ordinal);
        // Every level wraps the failure of the level below it.
        Assert.Equal(16, message.Split("blueprint 'forever' failed").Length - 1);
    }

    [Fact]
    public async Task Cancelling_the_run_ends_it_cancelled_with_exit_1()
    {
        var file = Workflow("slow", """
            { "id": "start", "type": "trigger.manual" },
            { "id": "nap", "type": "flow.wait", "settings": { "mode": "duration", "durationMs": 60000 } },
            { "id": "done", "type": "flow.return" }
            """, """{ "from": "start", "to": "nap" }, { "from": "nap", "to": "done" }""");
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cancel.CancelAfter(TimeSpan.FromMilliseconds(300));
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await Plexus.Cli.Cli.RunAsync(["run", file, "--json"], stdout, stderr, cancel.Token);

        Assert.Equal(ExitCodes.RunFailed, exit);
        var json = JsonNode.Parse(stdout.ToString())!;
        Assert.Equal("cancelled", json["status"]!.GetValue<string>());
    }
}
