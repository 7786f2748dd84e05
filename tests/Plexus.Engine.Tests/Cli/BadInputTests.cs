using static Plexus.Engine.Tests.Cli.PlexusCli;

namespace Plexus.Engine.Tests.Cli;

/// <summary>Bad input exits 2 with a clear message on stderr and never a stack trace.</summary>
public sealed class BadInputTests : IDisposable
{
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    /// <summary>A workflow of a manual trigger plus <paramref name="nodes"/>, with <paramref name="edges"/>.</summary>
    private string Workflow(string nodes, string edges) => _files.Write("flow.json", $$"""
        {
          "schema": "plexus/workflow@1",
          "name": "flow",
          "nodes": [
            { "id": "start", "type": "trigger.manual" }{{(nodes.Length > 0 ? "," : "")}}
            {{nodes}}
          ],
          "edges": [ {{edges}} ]
        }
        """);

    [Theory]
    [InlineData("validate")]
    [InlineData("run")]
    public async Task A_missing_file(string command)
    {
        var missing = Path.Combine(_files.Directory, "missing.json");

        (await RunAsync(command, missing)).RefusesWith($"file not found: {missing}");
    }

    [Theory]
    [InlineData("validate")]
    [InlineData("run")]
    public async Task Malformed_json_names_line_and_column(string command)
    {
        var file = _files.Write("broken.json", "{\n  \"schema\": \"plexus/workflow@1\",\n  \"name\": \"broken\",\n  \"nodes\": [ { \"id\": \"a\" \"type\": \"data.set\" } ]\n}\n");

        (await RunAsync(command, file)).RefusesWith("is not a valid workflow", "invalid JSON at line 4, column ");
    }

    [Fact]
    public async Task A_property_of_the_wrong_type()
    {
        var file = _files.Write("typed.json", """{ "schema": "plexus/workflow@1", "name": "typed", "nodes": "none" }""");

        (await RunAsync("validate", file)).RefusesWith("nodes: has the wrong type");
    }

    [Fact]
    public async Task An_unknown_node_type_suggests_a_near_name()
    {
        var file = Workflow("""{ "id": "a", "type": "data.sett", "settings": { "value": 1 } }""", """{ "from": "start", "to": "a" }""");

        (await RunAsync("validate", file)).RefusesWith("nodes[1].type: unknown node type 'data.sett'; did you mean 'data.set'?");
    }

    [Fact]
    public async Task An_unknown_port()
    {
        var file = Workflow("""
            { "id": "check", "type": "flow.if", "settings": { "condition": true } },
            { "id": "a", "type": "data.set", "settings": { "value": 1 } }
            """, """{ "from": "start", "to": "check" }, { "from": "check.maybe", "to": "a" }""");

        (await RunAsync("validate", file)).RefusesWith("edges[1].from: unknown output port 'maybe'; output ports of 'check' (flow.if): true, false, error");
    }

    [Fact]
    public async Task Duplicate_ids()
    {
        var file = Workflow("""{ "id": "start", "type": "data.set", "settings": { "value": 1 } }""", "");

        (await RunAsync("validate", file)).RefusesWith("nodes[1].id: duplicate id 'start' (also nodes[0])");
    }

    [Fact]
    public async Task Duplicate_edges()
    {
        var file = Workflow("""{ "id": "a", "type": "data.set", "settings": { "value": 1 } }""",
            """{ "from": "start", "to": "a" }, { "from": "start.out", "to": "a.in" }""");

        (await RunAsync("validate", file)).RefusesWith("edges[1]: duplicate edge start.out → a.in");
    }

    [Fact]
    public async Task A_dangling_edge()
    {
        var file = Workflow("", """{ "from": "start", "to": "ghost" }""");

        (await RunAsync("validate", file)).RefusesWith("edges[0].to: names node 'ghost', which does not exist");
    }

    [Fact]
    public async Task A_cycle()
    {
        var file = Workflow("""
            { "id": "a", "type": "data.set", "settings": { "value": 1 } },
            { "id": "b", "type": "data.set", "settings": { "value": 2 } }
            """, """{ "from": "start", "to": "a" }, { "from": "a", "to": "b" }, { "from": "b", "to": "a" }""");

        (await RunAsync("validate", file)).RefusesWith("edges: cycle a → b → a");
    }

    [Fact]
    public async Task Settings_failing_their_schema()
    {
        var file = Workflow("""
            { "id": "a", "type": "data.set", "settings": { "value": 1 } },
            { "id": "reply", "type": "http.response", "settings": { "status": 700 } }
            """, """{ "from": "start", "to": "a" }, { "from": "a", "to": "reply" }""");

        (await RunAsync("run", file)).RefusesWith("nodes[2].settings.status: must be 100..599");
    }

    [Fact]
    public async Task Every_problem_is_printed_one_per_line_with_its_path()
    {
        var file = Workflow("""
            { "id": "a", "type": "data.sett", "settings": { "value": 1 } },
            { "id": "b", "type": "http.response", "settings": { "status": 700, "colour": "red" } }
            """, """{ "from": "start", "to": "ghost" }""");

        var run = (await RunAsync("validate", file)).RefusesWith("(4 problems):");

        Assert.Equal(
            [
                "nodes[1].type: unknown node type 'data.sett'; did you mean 'data.set'?",
                "nodes[2].settings.status: must be 100..599",
                "nodes[2].settings.colour: unknown setting 'colour'; known: status, headers, cookies, body, bodyEncoding",
                "edges[0].to: names node 'ghost', which does not exist",
            ],
            run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)[1..]);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public async Task An_expression_syntax_error_names_node_setting_and_position()
    {
        var file = Workflow("""{ "id": "a", "type": "data.set", "settings": { "value": { "deep": "={{ input.( }}" } } }""",
            """{ "from": "start", "to": "a" }""");

        var run = (await RunAsync("run", file)).RefusesWith("nodes[1].settings.value.deep: expression error");

        Assert.Matches("line 1, column [0-9]+", run.Stderr);
    }

    [Fact]
    public async Task Bad_input_json()
    {
        (await RunAsync("run", Example("hello.json"), "--input", "{\"name\": }")).RefusesWith("--input: invalid JSON at line 1, column 10");
    }

    [Fact]
    public async Task An_input_file_that_does_not_exist()
    {
        var missing = Path.Combine(_files.Directory, "input.json");

        (await RunAsync("run", Example("hello.json"), "--input", "@" + missing)).RefusesWith($"--input: file not found: {missing}");
    }

    [Fact]
    public async Task A_request_matching_no_route_names_the_routes_that_exist()
    {
        (await RunAsync("run", Example("greet.json"), "--request", "GET /nope/1"))
            .RefusesWith("--request: no http.trigger matches GET /nope/1; routes: POST /hook/{id} (hook)");
    }

    [Fact]
    public async Task A_request_line_without_a_path()
    {
        (await RunAsync("run", Example("greet.json"), "--request", "POST")).RefusesWith("--request: expected \"METHOD /path?query\"");
    }

    [Fact]
    public async Task An_http_workflow_run_without_a_request_says_how_to_give_one()
    {
        (await RunAsync("run", Example("greet.json"))).RefusesWith("--request \"POST /hook/{id}\"");
    }

    [Fact]
    public async Task Input_and_request_together()
    {
        (await RunAsync("run", Example("greet.json"), "--request", "POST /hook/1", "--input", "{}")).RefusesWith("not both");
    }

    [Fact]
    public async Task A_resume_for_an_unknown_node()
    {
        (await RunAsync("run", Example("approval.json"), "--resume", "nobody={}")).RefusesWith("--resume: unknown node 'nobody'; waits: approval");
    }

    [Fact]
    public async Task A_resume_for_a_node_that_does_not_wait()
    {
        (await RunAsync("run", Example("approval.json"), "--resume", "yes={}")).RefusesWith("--resume: node 'yes' is a flow.return, not a flow.wait");
    }

    [Fact]
    public async Task A_resume_with_bad_json()
    {
        (await RunAsync("run", Example("approval.json"), "--resume", "approval={yes}")).RefusesWith("--resume approval: invalid JSON at line 1, column 2");
    }

    [Fact]
    public async Task Secrets_that_are_not_an_object_of_strings()
    {
        var secrets = _files.Write("secrets.json", """{ "token": 42 }""");

        var run = (await RunAsync("run", Example("hello.json"), "--secrets", "@" + secrets)).RefusesWith("--secrets: 'token' must be a string");
        Assert.DoesNotContain("42", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_argument_problem_is_reported_at_once()
    {
        var run = (await RunAsync("run", Example("approval.json"), "--input", "nope", "--resume", "ghost={}", "--env", "[]"))
            .RefusesWith("--input: invalid JSON", "--resume: unknown node 'ghost'", "--env: expected a JSON object");

        Assert.Equal(3, run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Theory]
    [InlineData("run")]
    [InlineData("run", "flow.json", "--bogus")]
    [InlineData("frobnicate")]
    [InlineData("validate", "a.json", "b.json")]
    public async Task Bad_arguments(params string[] args)
    {
        (await RunAsync(args)).RefusesWith("plexus: ", "--help");
    }
}
