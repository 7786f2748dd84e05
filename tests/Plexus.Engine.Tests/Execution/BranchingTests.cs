using Plexus.Engine.Execution;
using Plexus.Engine.Tests.Support;

namespace Plexus.Engine.Tests.Execution;

public sealed class BranchingTests
{
    private readonly TestEngine _engine = new();

    [Fact]
    public async Task Skips_travel_through_nested_ifs_and_the_merge_fires_exactly_once()
    {
        var flow = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("outer", "flow.if", """{ "condition": "={{ input.n > 10 }}" }""")
            .Node("inner", "flow.if", """{ "condition": "={{ input.n > 5 }}" }""")
            .Node("big", "data.set", """{ "value": "big" }""")
            .Node("mid", "data.set", """{ "value": "mid" }""")
            .Node("small", "data.set", """{ "value": "small" }""")
            .Node("join", "flow.merge")
            .Node("result", "flow.return")
            .Chain("start", "outer").Edge("outer.true", "big").Edge("outer.false", "inner")
            .Edge("inner.true", "mid").Edge("inner.false", "small")
            .Edge("big", "join").Edge("mid", "join").Edge("small", "join").Chain("join", "result");

        var result = await _engine.RunAsync(flow, """{ "n": 7 }""");

        Assert.Equal(ExecutionStatus.Succeeded, result.Status);
        Assert.Equal("""{"mid":"mid"}""", result.Result.Json());
        Assert.Equal(NodeRunStatus.Succeeded, result.Single("join").Status);
        Assert.Equal(NodeRunStatus.Skipped, result.Single("big").Status);
        Assert.Equal(NodeRunStatus.Skipped, result.Single("small").Status);
        Assert.Equal(NodeRunStatus.Succeeded, result.Single("result").Status);
    }

    [Fact]
    public async Task A_merge_whose_every_input_was_skipped_is_skipped_and_passes_the_skip_on()
    {
        var flow = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("check", "flow.if", """{ "condition": false }""")
            .Node("a", "data.set", """{ "value": 1 }""")
            .Node("b", "data.set", """{ "value": 2 }""")
            .Node("join", "flow.merge")
            .Node("after", "data.set", """{ "value": 3 }""")
            .Node("other", "data.set", """{ "value": "other" }""")
            .Chain("start", "check").Edge("check.true", "a").Chain("a", "b", "join", "after").Edge("check.true", "join")
            .Edge("check.false", "other");

        var result = await _engine.RunAsync(flow);

        Assert.Equal(ExecutionStatus.Succeeded, result.Status);
        Assert.All(["a", "b", "join", "after"], id => Assert.Equal(NodeRunStatus.Skipped, result.Single(id).Status));
        Assert.Equal(NodeRunStatus.Succeeded, result.Single("other").Status);
    }

    [Fact]
    public async Task A_merge_keys_items_by_source_and_leaves_skipped_ones_out()
    {
        var flow = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("left", "data.set", """{ "value": "L" }""")
            .Node("right", "data.set", """{ "value": "R" }""")
            .Node("never", "flow.if", """{ "condition": false }""")
            .Node("join", "flow.merge")
            .Node("result", "flow.return")
            .Chain("start", "left", "join").Chain("start", "right", "join").Chain("start", "never").Edge("never.true", "join")
            .Chain("join", "result");

        var result = await _engine.RunAsync(flow);

        Assert.Equal("""{"left":"L","right":"R"}""", result.Result.Json());
    }

    [Fact]
    public async Task Two_edges_from_one_node_into_a_merge_are_keyed_by_port()
    {
        var flow = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("check", "flow.if", """{ "condition": true }""")
            .Node("join", "flow.merge")
            .Node("result", "flow.return")
            .Chain("start", "check").Edge("check.true", "join").Edge("check.false", "join").Chain("join", "result");

        var result = await _engine.RunAsync(flow, """{ "x": 1 }""");

        Assert.Equal("""{"check.true":{"x":1}}""", result.Result.Json());
    }

    [Fact]
    public async Task A_node_that_is_not_a_join_runs_once_per_arriving_item()
    {
        var flow = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("a", "data.set", """{ "value": 1 }""")
            .Node("b", "data.set", """{ "value": 2 }""")
            .Node("each", "data.set", """{ "value": "={{ input * 10 }}" }""")
            .Chain("start", "a", "each").Chain("start", "b", "each");

        var result = await _engine.RunAsync(flow);

        Assert.Equal(["10", "20"], result.RunsOf("each").Select(r => r.Output.Json()));
    }

    [Fact]
    public async Task Triggers_that_did_not_start_the_run_send_skips()
    {
        var flow = new WorkflowBuilder()
            .Node("manual", "trigger.manual")
            .Node("hook", "http.trigger", """{ "method": "POST", "path": "/hook" }""")
            .Node("fromHook", "data.set", """{ "value": "hook" }""")
            .Node("fromManual", "data.set", """{ "value": "manual" }""")
            .Chain("hook", "fromHook").Chain("manual", "fromManual");

        var result = await _engine.RunAsync(flow);

        Assert.Equal(NodeRunStatus.Skipped, result.Single("hook").Status);
        Assert.Equal(NodeRunStatus.Skipped, result.Single("fromHook").Status);
        Assert.Equal(NodeRunStatus.Succeeded, result.Single("fromManual").Status);
    }

    [Fact]
    public async Task A_switch_sends_its_input_on_the_first_matching_case_or_default()
    {
        var flow = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("route", "flow.switch", """{ "value": "={{ input.kind }}", "cases": [ { "port": "a", "equals": "x" }, { "port": "b", "equals": "y" } ] }""")
            .Node("onA", "flow.return", """{ "value": "A" }""")
            .Node("onB", "flow.return", """{ "value": "B" }""")
            .Node("other", "flow.return", """{ "value": "other" }""")
            .Chain("start", "route").Edge("route.a", "onA").Edge("route.b", "onB").Edge("route.default", "other");

        Assert.Equal("\"B\"", (await _engine.RunAsync(flow, """{ "kind": "y" }""")).Result.Json());
        Assert.Equal("\"other\"", (await _engine.RunAsync(flow, """{ "kind": "z" }""")).Result.Json());
    }

    [Fact]
    public async Task The_first_return_and_the_first_response_win()
    {
        var flow = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("first", "flow.return", """{ "value": 1 }""")
            .Node("reply", "http.response", """{ "status": 201, "body": "first" }""")
            .Node("second", "flow.return", """{ "value": 2 }""")
            .Node("reply2", "http.response", """{ "status": 500, "body": "second" }""")
            .Chain("start", "first", "reply", "second", "reply2");

        var result = await _engine.RunAsync(flow);

        Assert.Equal("1", result.Result.Json());
        Assert.Equal(201, result.Response!.Status);
        Assert.Equal(NodeRunStatus.Succeeded, result.Single("reply2").Status);
    }

    [Fact]
    public async Task The_first_response_is_handed_out_as_soon_as_it_is_decided_while_the_run_goes_on()
    {
        var clock = TestEngine.FakeClock();
        var engine = new TestEngine(clock);
        var flow = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("reply", "http.response", """{ "status": 201, "body": "early" }""")
            .Node("wait", "flow.wait", """{ "mode": "duration", "durationMs": 60000 }""")
            .Node("reply2", "http.response", """{ "status": 500, "body": "late" }""")
            .Chain("start", "reply", "wait", "reply2");
        var responses = new List<int>();
        var responded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var run = engine.RunAsync(flow.Build(), new RunRequest
        {
            OnResponse = response =>
            {
                lock (responses)
                {
                    responses.Add(response.Status);
                }

                responded.TrySetResult();
            },
        });
        await responded.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        var goesOn = !run.IsCompleted;
        while (!run.IsCompleted)
        {
            clock.Advance(TimeSpan.FromMinutes(1));
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        var result = await run;
        Assert.True(goesOn);
        Assert.Equal([201], responses);
        Assert.Equal(201, result.Response!.Status);
        Assert.Equal(NodeRunStatus.Succeeded, result.Single("reply2").Status);
    }

    [Fact]
    public async Task A_disabled_node_passes_its_input_through()
    {
        var flow = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("off", "data.set", """{ "value": "replaced" }""", n => n with { Disabled = true })
            .Node("result", "flow.return")
            .Chain("start", "off", "result");

        var result = await _engine.RunAsync(flow, """{ "kept": true }""");

        Assert.Equal("""{"kept":true}""", result.Result.Json());
    }

    [Fact]
    public async Task Pinned_nodes_emit_their_pinned_value_instead_of_running()
    {
        var document = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("fetch", "http.request", """{ "url": "http://127.0.0.1:9/would-call-a-real-service" }""")
            .Node("result", "flow.return")
            .Chain("start", "fetch", "result")
            .Pin("fetch", """{ "rows": 3 }""")
            .Build();

        var result = await _engine.RunAsync(document, new RunRequest { UsePinned = true });

        Assert.Equal(ExecutionStatus.Succeeded, result.Status);
        Assert.Equal("""{"rows":3}""", result.Result.Json());
        Assert.True(result.Single("fetch").Pinned);
    }
}
