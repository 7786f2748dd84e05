using System.Text.Json.Nodes;
using Plexus.Engine.Execution;
using Plexus.Engine.Tests.Support;

namespace Plexus.Engine.Tests.Execution;

public sealed class StartAtTests
{
    private readonly TestEngine _engine = new();

    [Fact]
    public async Task A_run_from_a_node_runs_only_what_is_downstream_and_reads_known_outputs_upstream()
    {
        var flow = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("fetch", "flow.fail", """{ "message": "would call a slow service" }""")
            .Node("double", "data.set", """{ "value": "={{ input.n * 2 }}" }""")
            .Node("result", "flow.return", """{ "value": { "doubled": "={{ input }}", "fetched": "={{ nodes.fetch.output.n }}", "trigger": "={{ trigger.t }}" } }""")
            .Chain("start", "fetch").Edge("fetch.error", "double").Chain("double", "result")
            .Build();
        var request = new RunRequest
        {
            StartAt = "double",
            KnownOutputs = new Dictionary<string, JsonNode?> { ["start"] = JsonNode.Parse("""{ "t": 1 }"""), ["fetch"] = JsonNode.Parse("""{ "n": 21 }""") },
        };

        var result = await _engine.RunAsync(flow, request);

        Assert.Equal(ExecutionStatus.Succeeded, result.Status);
        Assert.Equal("""{"doubled":42,"fetched":21,"trigger":1}""", result.Result.Json());
        Assert.Equal(["double", "result"], result.Record.Nodes.Select(n => n.NodeId));
    }

    [Fact]
    public async Task A_join_downstream_gets_the_known_outputs_of_branches_that_do_not_run_again()
    {
        var flow = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("left", "data.set", """{ "value": "={{ input + '!' }}" }""")
            .Node("right", "data.set", """{ "value": "R" }""")
            .Node("join", "flow.merge")
            .Node("result", "flow.return")
            .Chain("start", "left", "join").Chain("start", "right", "join").Chain("join", "result")
            .Build();
        var request = new RunRequest
        {
            StartAt = "left",
            KnownOutputs = new Dictionary<string, JsonNode?> { ["start"] = JsonValue.Create("L"), ["right"] = JsonValue.Create("from before") },
        };

        var result = await _engine.RunAsync(flow, request);

        Assert.Equal("""{"left":"L!","right":"from before"}""", result.Result.Json());
        Assert.Empty(result.RunsOf("right"));
    }

    [Fact]
    public void A_run_cannot_start_inside_a_loop_body()
    {
        var plan = _engine.Compile(new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("each", "flow.loop", """{ "items": [1] }""")
            .Node("body", "flow.loopEnd")
            .Chain("start", "each").Chain("each.item", "body")
            .Build());

        Assert.False(plan.CanStartAt("body", out var reason));
        Assert.Equal("node 'body' is inside the body of loop 'each'; start at the loop instead", reason);
        Assert.False(plan.CanStartAt("ghost", out reason));
        Assert.True(plan.CanStartAt("each", out _));
    }
}
