using System.Text.Json;
using System.Text.Json.Nodes;
using Plexus.Engine.Execution;
using Plexus.Engine.Tests.Support;

namespace Plexus.Engine.Tests.Execution;

public sealed class DataTests
{
    private const string Secret = "s3cr3t-Value-42";

    [Fact]
    public async Task A_secret_value_never_appears_in_records_or_events_even_inside_longer_strings()
    {
        var engine = new TestEngine();
        var events = new EventLog();
        var flow = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("header", "data.set", """{ "value": { "authorization": "Bearer <secret:apiToken>" } }""")
            .Node("code", "code.js", """{ "source": "console.log('token is ' + secret('apiToken')); return { echoed: 'x' + secret('apiToken') + 'y', from: input }" }""")
            .Node("fail", "flow.fail", """{ "message": "rejected <secret:apiToken>" }""")
            .Node("handled", "flow.return", """{ "value": "={{ input.message }}" }""")
            .Chain("start", "header", "code", "fail").Edge("fail.error", "handled");
        var request = new RunRequest
        {
            Secrets = new Dictionary<string, string> { ["apiToken"] = Secret },
            Events = events,
        };

        var result = await engine.RunAsync(flow.Build(), request);

        Assert.Equal(ExecutionStatus.Succeeded, result.Status);
        var record = JsonSerializer.Serialize(result.Record);
        Assert.DoesNotContain(Secret, record, StringComparison.Ordinal);
        Assert.Contains("Bearer ***", record, StringComparison.Ordinal);
        Assert.Contains("x***y", record, StringComparison.Ordinal);
        Assert.Contains("token is ***", result.Single("code").Logs!);
        Assert.DoesNotContain(Secret, JsonSerializer.Serialize(events.Events), StringComparison.Ordinal);
        Assert.NotEmpty(events.Events);
    }

    [Fact]
    public async Task Values_over_64_KB_are_truncated_in_the_record_and_marked()
    {
        var engine = new TestEngine();
        var flow = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("big", "code.js", """{ "source": "return 'x'.repeat(100000)" }""")
            .Node("small", "data.set", """{ "value": "ok" }""")
            .Chain("start", "big", "small");

        var result = await engine.RunAsync(flow);

        var big = result.Single("big");
        Assert.True(big.OutputTruncated);
        Assert.Equal(RecordValues.MaxChars, big.Output!.GetValue<string>().Length);
        Assert.True(result.Single("small").InputTruncated);
        Assert.False(result.Single("small").OutputTruncated);
    }

    [Fact]
    public async Task Independent_branches_really_overlap()
    {
        using var barrier = new Barrier(2);
        var engine = new TestEngine(null, null, new BarrierNode(barrier));
        var flow = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("left", "test.barrier")
            .Node("right", "test.barrier")
            .Chain("start", "left").Chain("start", "right");

        var result = await engine.RunAsync(flow);

        Assert.Equal(ExecutionStatus.Succeeded, result.Status);
    }

    [Fact]
    public async Task The_same_input_gives_the_same_records_over_a_hundred_runs()
    {
        var engine = new TestEngine();
        var flow = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("a", "code.js", """{ "source": "let s = 0; for (let i = 0; i < 2000; i++) s += i; return s" }""")
            .Node("b", "data.set", """{ "value": "={{ input.n * 2 }}" }""")
            .Node("c", "flow.if", """{ "condition": "={{ input.n > 1 }}" }""")
            .Node("d", "data.set", """{ "value": "d" }""")
            .Node("each", "flow.loop", """{ "items": [1, 2, 3, 4], "concurrency": 4 }""")
            .Node("sq", "code.js", """{ "source": "return loop.item * loop.item" }""")
            .Node("end", "flow.loopEnd")
            .Node("join", "flow.merge")
            .Node("result", "flow.return")
            .Chain("start", "a", "join").Chain("start", "b", "join").Chain("start", "c").Edge("c.true", "d").Chain("d", "join")
            .Chain("start", "each").Chain("each.item", "sq", "end").Edge("each.done", "join").Chain("join", "result");
        var document = flow.Build();
        string? first = null;

        for (var i = 0; i < 100; i++)
        {
            var result = await engine.RunAsync(document, new RunRequest { Input = JsonNode.Parse("""{ "n": 3 }"""), ExecutionId = "same" });
            var shape = string.Join("\n", result.Record.Nodes.Select(n =>
                $"{n.Sequence} {n.NodeId} {n.Status} {n.Attempts} {n.Scope} {n.Port} {n.Input.Json()} {n.Output.Json()}"));
            first ??= shape;
            Assert.Equal(first, shape);
        }
    }

    [Fact]
    public async Task Live_events_follow_the_run()
    {
        var engine = new TestEngine();
        var events = new EventLog();
        var flow = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("check", "flow.if", """{ "condition": true }""")
            .Node("no", "data.set", """{ "value": 1 }""")
            .Chain("start", "check").Edge("check.false", "no");

        await engine.RunAsync(flow.Build(), new RunRequest { Events = events });

        Assert.Equal(
            ["run.started", "node.started start", "node.finished start", "node.started check", "node.finished check", "node.skipped no", "run.finished"],
            events.Events.Select(e => e.NodeId is null ? e.Type : $"{e.Type} {e.NodeId}"));
        Assert.Equal(ExecutionStatus.Succeeded, events.Events[^1].Status);
    }

    [Fact]
    public async Task Expressions_see_trigger_execution_env_and_upstream_outputs()
    {
        var engine = new TestEngine();
        var flow = new WorkflowBuilder("context")
            .Node("start", "trigger.manual")
            .Node("first", "data.set", """{ "value": { "v": 5 } }""")
            .Node("all", "data.set", """{ "value": { "trigger": "={{ trigger.t }}", "first": "={{ nodes.first.output.v }}", "region": "={{ env.REGION }}", "stage": "={{ execution.stage }}", "workflow": "={{ execution.workflow }}", "text": "<env:REGION>-{{ input.v }}" } }""")
            .Node("result", "flow.return")
            .Chain("start", "first", "all", "result");
        var request = new RunRequest
        {
            Input = JsonNode.Parse("""{ "t": "T" }"""),
            Env = new Dictionary<string, string> { ["REGION"] = "eu" },
            Stage = "prod",
        };

        var result = await engine.RunAsync(flow.Build(), request);

        Assert.True(result.Status == ExecutionStatus.Succeeded, result.Describe());
        Assert.Equal("""{"trigger":"T","first":5,"region":"eu","stage":"prod","workflow":"context","text":"<env:REGION>-5"}""", result.Result.Json());
    }
}
