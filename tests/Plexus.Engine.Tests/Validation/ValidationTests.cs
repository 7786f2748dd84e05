using Plexus.Engine.Tests.Support;
using Plexus.Engine.Validation;
using Plexus.Engine.Workflows;

namespace Plexus.Engine.Tests.Validation;

public sealed class ValidationTests
{
    private readonly TestEngine _engine = new();

    private IReadOnlyList<Problem> Problems(WorkflowBuilder builder) => _engine.Validate(builder.Build());

    private static WorkflowBuilder Start() => new WorkflowBuilder().Node("start", "trigger.manual");

    [Fact]
    public void Every_problem_is_reported_at_once_each_with_its_path()
    {
        var problems = Problems(Start()
            .Node("a", "data.sett", """{ "value": 1 }""")
            .Node("b", "http.response", """{ "status": 700, "colour": "red" }""")
            .Edge("start", "ghost"));

        Assert.Equal(
            [
                "nodes[1].type: unknown node type 'data.sett'; did you mean 'data.set'?",
                "nodes[2].settings.status: must be 100..599",
                "nodes[2].settings.colour: unknown setting 'colour'; known: status, headers, cookies, body, bodyEncoding",
                "edges[0].to: names node 'ghost', which does not exist",
            ],
            problems.Select(p => p.ToString()));
    }

    [Fact]
    public void Duplicate_ids_are_refused()
    {
        var problems = Problems(Start().Node("start", "data.set", """{ "value": 1 }"""));

        Assert.Contains(problems, p => p.ToString() == "nodes[1].id: duplicate id 'start' (also nodes[0])");
    }

    [Fact]
    public void Duplicate_edges_are_refused()
    {
        var problems = Problems(Start().Node("a", "data.set", """{ "value": 1 }""").Edge("start", "a").Edge("start.out", "a.in"));

        Assert.Contains(problems, p => p.Path == "edges[1]" && p.Message.StartsWith("duplicate edge start.out → a.in", StringComparison.Ordinal));
    }

    [Fact]
    public void Unknown_ports_are_refused_naming_the_ports_that_exist()
    {
        var problems = Problems(Start().Node("check", "flow.if", """{ "condition": true }""")
            .Node("a", "data.set", """{ "value": 1 }""").Edge("start", "check").Edge("check.maybe", "a"));

        Assert.Contains(problems, p => p.ToString() == "edges[1].from: unknown output port 'maybe'; output ports of 'check' (flow.if): true, false, error");
    }

    [Fact]
    public void Cycles_outside_loop_constructs_are_refused()
    {
        var problems = Problems(Start()
            .Node("a", "data.set", """{ "value": 1 }""").Node("b", "data.set", """{ "value": 2 }""")
            .Chain("start", "a", "b", "a"));

        Assert.Contains(problems, p => p.Path == "edges" && p.Message.StartsWith("cycle a → b → a", StringComparison.Ordinal));
    }

    [Fact]
    public void Missing_required_settings_are_refused()
    {
        var problems = Problems(Start().Node("a", "data.set").Edge("start", "a"));

        Assert.Contains(problems, p => p.ToString() == "nodes[1].settings.value: is required");
    }

    [Fact]
    public void Only_one_manual_trigger_is_allowed()
    {
        var problems = Problems(Start().Node("again", "trigger.manual"));

        Assert.Contains(problems, p => p.ToString() == "nodes[1].type: only one 'trigger.manual' is allowed per workflow (also nodes[0])");
    }

    [Fact]
    public void Expression_syntax_errors_name_the_node_the_setting_and_the_position()
    {
        var problems = Problems(Start().Node("a", "data.set", """{ "value": { "deep": "={{ input.( }}" } }""").Edge("start", "a"));

        var problem = Assert.Single(problems);
        Assert.Equal("nodes[1].settings.value.deep", problem.Path);
        Assert.Contains("line 1, column", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Code_syntax_errors_are_found_before_running()
    {
        var problems = Problems(Start().Node("a", "code.js", """{ "source": "return {" }""").Edge("start", "a"));

        Assert.Contains(problems, p => p.Path == "nodes[1].settings.source" && p.Message.StartsWith("syntax error", StringComparison.Ordinal));
    }

    [Fact]
    public void Expressions_may_only_read_upstream_nodes()
    {
        var problems = Problems(Start()
            .Node("a", "data.set", """{ "value": "={{ nodes.b.output }}" }""")
            .Node("b", "data.set", """{ "value": 1 }""")
            .Node("c", "data.set", """{ "value": "={{ nodes.nobody.output }}" }""")
            .Chain("start", "a", "b").Chain("start", "c"));

        Assert.Contains(problems, p => p.ToString() == "nodes[1].settings.value: an expression reads node 'b', which does not run before 'a' (only upstream nodes can be read)");
        Assert.Contains(problems, p => p.ToString() == "nodes[3].settings.value: an expression reads node 'nobody', which does not exist");
    }

    [Fact]
    public void Break_continue_and_loopEnd_must_be_inside_a_loop_body()
    {
        var problems = Problems(Start().Node("stop", "flow.break").Node("end", "flow.loopEnd").Chain("start", "stop").Chain("start", "end"));

        Assert.Contains(problems, p => p.ToString() == "nodes[1].type: 'flow.break' must be inside the body of a flow.loop (after its 'item' port)");
        Assert.Contains(problems, p => p.ToString() == "nodes[2].type: 'flow.loopEnd' must be inside the body of a flow.loop (after its 'item' port)");
    }

    [Fact]
    public void Edges_may_not_enter_a_loop_body_from_outside()
    {
        var problems = Problems(Start()
            .Node("each", "flow.loop", """{ "items": [1] }""")
            .Node("body", "data.set", """{ "value": 1 }""")
            .Node("end", "flow.loopEnd")
            .Chain("start", "each").Chain("each.item", "body", "end").Edge("start", "body"));

        Assert.Contains(problems, p => p.Path == "edges[3]" && p.Message.StartsWith("enters the body of loop 'each'", StringComparison.Ordinal));
    }

    [Fact]
    public void A_jump_target_must_be_upstream()
    {
        var problems = Problems(Start()
            .Node("again", "flow.jump", """{ "target": "later", "max": 3 }""")
            .Node("later", "data.set", """{ "value": 1 }""")
            .Chain("start", "again").Chain("start", "later"));

        Assert.Contains(problems, p => p.ToString() == "nodes[1].settings.target: 'later' must be upstream of 'again'");
    }

    [Fact]
    public void Retry_and_timeout_fields_are_checked()
    {
        var problems = Problems(Start().Node("a", "data.set", """{ "value": 1 }""",
            n => n with { Retry = new RetryPolicy { Attempts = 0, Backoff = "linear" }, TimeoutMs = 0 }).Edge("start", "a"));

        Assert.Contains(problems, p => p.Path == "nodes[1].retry.attempts");
        Assert.Contains(problems, p => p.Path == "nodes[1].retry.backoff");
        Assert.Contains(problems, p => p.Path == "nodes[1].timeoutMs");
    }

    [Fact]
    public void The_workflow_retry_policy_is_checked_at_its_own_path()
    {
        var document = Start().Build() with { Retry = new RetryPolicy { Attempts = 11, Backoff = "sometimes", DelayMs = -1 } };

        var problems = _engine.Validate(document);

        Assert.Equal(["retry.attempts", "retry.backoff", "retry.delayMs"], problems.Select(p => p.Path).Order(StringComparer.Ordinal));
        Assert.Empty(_engine.Validate(Start().Build() with { Retry = new RetryPolicy { Attempts = 3, Backoff = "exponential", DelayMs = 100 } }));
    }

    [Fact]
    public void Http_trigger_paths_are_checked()
    {
        var problems = Problems(new WorkflowBuilder().Node("hook", "http.trigger", """{ "method": "GET", "path": "/a/{id:float}" }"""));

        Assert.Contains(problems, p => p.ToString() == "nodes[0].settings.path: parameter 'id' has unknown type 'float'; use int or uuid");
    }

    [Fact]
    public void Pinned_data_must_name_existing_nodes()
    {
        var problems = Problems(Start().Pin("ghost", "1"));

        Assert.Contains(problems, p => p.ToString() == "pinned.ghost: pins node 'ghost', which does not exist");
    }
}
