using System.Text.Json.Nodes;
using Plexus.Engine.Execution;
using Plexus.Engine.Tests.Support;

namespace Plexus.Engine.Tests.Execution;

public sealed class LoopTests
{
    private readonly TestEngine _engine = new();

    [Fact]
    public async Task A_loop_over_ten_thousand_items_collects_every_value_in_order()
    {
        var flow = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("each", "flow.loop", """{ "items": "={{ Array.from({ length: 10000 }, (_, i) => i) }}" }""")
            .Node("double", "data.set", """{ "value": "={{ loop.item * 2 }}" }""")
            .Node("collect", "flow.loopEnd")
            .Node("result", "flow.return")
            .Chain("each.item", "double", "collect").Chain("start", "each").Edge("each.done", "result");

        var result = await _engine.RunAsync(flow);

        Assert.Equal(ExecutionStatus.Succeeded, result.Status);
        var values = result.Result!.AsArray();
        Assert.Equal(10_000, values.Count);
        Assert.Equal("19998", values[9_999].Json());
        Assert.Equal(10_000, result.RunsOf("double").Count);
        Assert.Equal("each[42]", result.RunsOf("double")[42].Scope);
    }

    [Fact]
    public async Task Continue_adds_nothing_and_break_ends_the_loop_with_what_was_collected()
    {
        var flow = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("each", "flow.loop", """{ "items": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] }""")
            .Node("tooBig", "flow.if", """{ "condition": "={{ loop.item > 7 }}" }""")
            .Node("stop", "flow.break")
            .Node("even", "flow.if", """{ "condition": "={{ loop.item % 2 === 0 }}" }""")
            .Node("skip", "flow.continue")
            .Node("square", "data.set", """{ "value": "={{ loop.item * loop.item }}" }""")
            .Node("collect", "flow.loopEnd")
            .Node("result", "flow.return")
            .Chain("start", "each").Chain("each.item", "tooBig").Edge("tooBig.true", "stop").Edge("tooBig.false", "even")
            .Edge("even.true", "skip").Edge("even.false", "square").Chain("square", "collect").Edge("each.done", "result");

        var result = await _engine.RunAsync(flow);

        Assert.Equal("[1,9,25,49]", result.Result.Json());
        Assert.Equal(8, result.RunsOf("tooBig").Count); // items 9 and 10 never start
    }

    [Fact]
    public async Task An_iteration_whose_path_to_loopEnd_is_skipped_adds_nothing()
    {
        var flow = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("each", "flow.loop", """{ "items": [1, 2, 3] }""")
            .Node("odd", "flow.if", """{ "condition": "={{ loop.item % 2 }}" }""")
            .Node("collect", "flow.loopEnd")
            .Node("result", "flow.return")
            .Chain("start", "each").Chain("each.item", "odd").Edge("odd.true", "collect").Edge("each.done", "result");

        var result = await _engine.RunAsync(flow);

        Assert.Equal("[1,3]", result.Result.Json());
        Assert.Equal(NodeRunStatus.Skipped, result.RunsOf("collect")[1].Status);
    }

    [Fact]
    public async Task Break_does_not_cancel_sibling_branches_of_the_same_iteration()
    {
        var flow = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("each", "flow.loop", """{ "items": ["a", "b", "c"] }""")
            .Node("stop", "flow.break")
            .Node("value", "data.set", """{ "value": "={{ loop.item }}" }""")
            .Node("collect", "flow.loopEnd")
            .Node("result", "flow.return")
            .Chain("start", "each").Chain("each.item", "stop").Chain("each.item", "value", "collect").Edge("each.done", "result");

        var result = await _engine.RunAsync(flow);

        Assert.Equal("""["a"]""", result.Result.Json());
    }

    [Fact]
    public async Task With_concurrency_a_break_keeps_only_iterations_of_lower_index()
    {
        var flow = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("each", "flow.loop", """{ "items": [0, 1, 2, 3, 4, 5, 6, 7], "concurrency": 4 }""")
            .Node("isTwo", "flow.if", """{ "condition": "={{ loop.item === 2 }}" }""")
            .Node("stop", "flow.break")
            .Node("value", "data.set", """{ "value": "={{ loop.item }}" }""")
            .Node("collect", "flow.loopEnd")
            .Node("result", "flow.return")
            .Chain("start", "each").Chain("each.item", "isTwo").Edge("isTwo.true", "stop").Edge("isTwo.false", "value")
            .Chain("value", "collect").Edge("each.done", "result");

        var result = await _engine.RunAsync(flow);

        Assert.Equal("[0,1]", result.Result.Json());
    }

    [Fact]
    public async Task Loops_nest_and_break_acts_on_the_innermost()
    {
        var flow = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("rows", "flow.loop", """{ "items": [[1, 2, 99, 3], [4, 99], [5]] }""")
            .Node("cells", "flow.loop", """{ "items": "={{ loop.item }}" }""")
            .Node("end", "flow.if", """{ "condition": "={{ loop.item === 99 }}" }""")
            .Node("stop", "flow.break")
            .Node("cell", "flow.loopEnd", """{ "loop": "cells" }""")
            .Node("row", "flow.loopEnd", """{ "loop": "rows" }""")
            .Node("result", "flow.return")
            .Chain("start", "rows").Chain("rows.item", "cells").Chain("cells.item", "end").Edge("end.true", "stop").Edge("end.false", "cell")
            .Edge("cells.done", "row").Edge("rows.done", "result");

        var result = await _engine.RunAsync(flow);

        Assert.Equal("[[1,2],[4],[5]]", result.Result.Json());
    }

    [Fact]
    public async Task An_empty_list_fires_done_at_once_with_an_empty_list()
    {
        var flow = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("each", "flow.loop", """{ "items": [] }""")
            .Node("body", "flow.loopEnd")
            .Node("result", "flow.return")
            .Chain("start", "each").Chain("each.item", "body").Edge("each.done", "result");

        var result = await _engine.RunAsync(flow);

        Assert.Equal("[]", result.Result.Json());
        Assert.Empty(result.RunsOf("body"));
    }

    [Fact]
    public async Task A_jump_repeats_work_until_a_condition_holds()
    {
        var flow = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("count", "data.set", """{ "value": { "n": "={{ (input.n ?? 0) + 1 }}" } }""")
            .Node("enough", "flow.if", """{ "condition": "={{ input.n >= 4 }}" }""")
            .Node("again", "flow.jump", """{ "target": "count", "max": 10 }""")
            .Node("result", "flow.return")
            .Chain("start", "count", "enough").Edge("enough.false", "again").Edge("enough.true", "result");

        var result = await _engine.RunAsync(flow, "{}");

        Assert.Equal("""{"n":4}""", result.Result.Json());
        Assert.Equal(4, result.RunsOf("count").Count);
    }

    [Fact]
    public async Task A_jump_over_its_maximum_fails_the_run()
    {
        var flow = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("work", "data.set", """{ "value": 1 }""")
            .Node("again", "flow.jump", """{ "target": "work", "max": 3 }""")
            .Chain("start", "work", "again");

        var result = await _engine.RunAsync(flow);

        Assert.Equal(ExecutionStatus.Failed, result.Status);
        Assert.Equal(4, result.RunsOf("work").Count);
        Assert.Contains("jump limit exceeded", result.Error!.Message, StringComparison.Ordinal);
        Assert.Equal("again", result.Error.Node);
    }

    [Fact]
    public async Task Loop_items_that_are_not_a_list_fail_the_loop_node()
    {
        var flow = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("each", "flow.loop", """{ "items": "={{ 42 }}" }""")
            .Node("body", "flow.loopEnd")
            .Chain("start", "each").Chain("each.item", "body");

        var result = await _engine.RunAsync(flow);

        Assert.Equal(ExecutionStatus.Failed, result.Status);
        Assert.Equal("settings.items: must be an array, not number", result.Error!.Message);
    }

    [Fact]
    public async Task Loop_values_are_collected_from_concurrent_iterations_in_item_order()
    {
        var flow = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("each", "flow.loop", """{ "items": "={{ [5, 4, 3, 2, 1] }}", "concurrency": 3 }""")
            .Node("value", "code.js", """{ "source": "return { item: loop.item, index: loop.index }" }""")
            .Node("collect", "flow.loopEnd", """{ "value": "={{ input.item }}" }""")
            .Node("result", "flow.return")
            .Chain("start", "each").Chain("each.item", "value", "collect").Edge("each.done", "result");

        var result = await _engine.RunAsync(flow);

        Assert.Equal("[5,4,3,2,1]", result.Result.Json());
        Assert.Equal(JsonValue.Create(4)!.ToJsonString(), result.RunsOf("value").Single(r => r.Scope == "each[4]").Output!["index"].Json());
    }
}

public sealed class PassThroughLoopTests
{
    [Fact]
    public async Task A_disabled_loop_passes_its_input_to_done_without_running_its_body()
    {
        var engine = new TestEngine();
        var flow = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("each", "flow.loop", """{ "items": [1, 2] }""", n => n with { Disabled = true })
            .Node("body", "flow.loopEnd")
            .Node("result", "flow.return")
            .Chain("start", "each").Chain("each.item", "body").Edge("each.done", "result");

        var result = await engine.RunAsync(flow, """{ "kept": 1 }""");

        Assert.Equal("""{"kept":1}""", result.Result.Json());
        Assert.Empty(result.RunsOf("body"));
    }
}
