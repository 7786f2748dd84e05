using System.Text.Json.Nodes;
using Plexus.Engine.Execution;
using Plexus.Engine.Tests.Support;

namespace Plexus.Engine.Tests.Execution;

public sealed class WaitTests
{
    private static WorkflowBuilder Approval() => new WorkflowBuilder()
        .Node("start", "trigger.manual")
        .Node("approval", "flow.wait", """{ "mode": "resume" }""")
        .Node("other", "data.set", """{ "value": "ran meanwhile" }""")
        .Node("result", "flow.return", """{ "value": { "approved": "={{ input.approved }}", "by": "={{ input.by }}" } }""")
        .Chain("start", "approval", "result").Chain("start", "other");

    [Fact]
    public async Task A_resume_wait_suspends_its_branch_and_the_run_ends_waiting_with_a_token()
    {
        var engine = new TestEngine();

        var result = await engine.RunAsync(Approval());

        Assert.Equal(ExecutionStatus.Waiting, result.Status);
        Assert.True(result.IsWaiting);
        var wait = Assert.Single(result.Waits);
        Assert.Equal("approval", wait.NodeId);
        Assert.Equal(NodeRunStatus.Waiting, result.Single("approval").Status);
        Assert.Equal(wait.Token, result.Single("approval").ResumeToken);
        Assert.Equal(NodeRunStatus.Succeeded, result.Single("other").Status);
    }

    [Fact]
    public async Task Resuming_by_token_makes_the_payload_the_wait_output_and_finishes_the_run()
    {
        var engine = new TestEngine();
        var waiting = await engine.RunAsync(Approval());

        var done = await engine.Executor.ResumeAsync(waiting, waiting.Waits[0].Token,
            JsonNode.Parse("""{ "approved": true, "by": "ana" }"""), TestContext.Current.CancellationToken);

        Assert.Equal(ExecutionStatus.Succeeded, done.Status);
        Assert.Equal("""{"approved":true,"by":"ana"}""", done.Result.Json());
        Assert.Equal(NodeRunStatus.Succeeded, done.Single("approval").Status);
        Assert.Equal(waiting.Record.Nodes.Count + 1, done.Record.Nodes.Count); // the wait's own run was completed, not repeated
    }

    [Fact]
    public async Task Answers_given_up_front_resume_the_wait_within_the_run()
    {
        var engine = new TestEngine();
        var request = new RunRequest
        {
            ResumeAnswers = new Dictionary<string, JsonNode?> { ["approval"] = JsonNode.Parse("""{ "approved": false, "by": "bo" }""") },
        };

        var result = await engine.RunAsync(Approval().Build(), request);

        Assert.Equal(ExecutionStatus.Succeeded, result.Status);
        Assert.Equal("""{"approved":false,"by":"bo"}""", result.Result.Json());
    }

    [Fact]
    public async Task A_duration_wait_sleeps_on_the_run_clock_and_passes_its_input_on()
    {
        var clock = TestEngine.FakeClock();
        var engine = new TestEngine(clock);
        var flow = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("pause", "flow.wait", """{ "mode": "duration", "durationMs": 60000 }""")
            .Node("result", "flow.return")
            .Chain("start", "pause", "result");

        var running = engine.RunAsync(flow, """{ "x": 1 }""");
        clock.Advance(TimeSpan.FromSeconds(59));
        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.False(running.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));
        var result = await running;

        Assert.Equal(ExecutionStatus.Succeeded, result.Status);
        Assert.Equal("""{"x":1}""", result.Result.Json());
    }

    [Fact]
    public async Task Without_inline_waiting_a_duration_wait_leaves_the_run_waiting_with_its_due_time()
    {
        var clock = TestEngine.FakeClock();
        var engine = new TestEngine(clock);
        var flow = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("pause", "flow.wait", """{ "mode": "duration", "durationMs": 1000 }""")
            .Chain("start", "pause");

        var result = await engine.RunAsync(flow.Build(), new RunRequest { WaitInline = false });

        Assert.Equal(ExecutionStatus.Waiting, result.Status);
        Assert.Equal(clock.GetUtcNow().AddSeconds(1), result.Waits[0].ResumeAt);
    }

    [Fact]
    public async Task Without_inline_waiting_a_wait_due_within_the_inline_limit_is_still_slept_through_and_a_longer_one_is_not()
    {
        var clock = TestEngine.FakeClock();
        var engine = new TestEngine(clock);
        var flow = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("short", "flow.wait", """{ "mode": "duration", "durationMs": 5000 }""")
            .Node("long", "flow.wait", """{ "mode": "duration", "durationMs": 60000 }""")
            .Chain("start", "short", "long");
        var request = new RunRequest { WaitInline = false, MaxInlineWait = TimeSpan.FromSeconds(10) };

        var running = engine.RunAsync(flow.Build(), request);
        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.False(running.IsCompleted); // sleeping through the 5-second wait
        clock.Advance(TimeSpan.FromSeconds(5));
        var result = await running;

        Assert.Equal(ExecutionStatus.Waiting, result.Status);
        var wait = Assert.Single(result.Waits);
        Assert.Equal("long", wait.NodeId);
        Assert.Equal(clock.GetUtcNow().AddSeconds(60), wait.ResumeAt);
    }

    [Fact]
    public async Task A_wait_inside_a_loop_resumes_into_its_iteration()
    {
        var engine = new TestEngine();
        var flow = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("each", "flow.loop", """{ "items": ["a", "b"] }""")
            .Node("ask", "flow.wait", """{ "mode": "resume" }""")
            .Node("answer", "flow.loopEnd", """{ "value": "={{ loop.item + '=' + input }}" }""")
            .Node("result", "flow.return")
            .Chain("start", "each").Chain("each.item", "ask", "answer").Edge("each.done", "result");
        var token = TestContext.Current.CancellationToken;

        var first = await engine.RunAsync(flow);
        var second = await engine.Executor.ResumeAsync(first, "ask", JsonValue.Create("yes"), token);
        var done = await engine.Executor.ResumeAsync(second, "ask", JsonValue.Create("no"), token);

        Assert.Equal(ExecutionStatus.Waiting, second.Status);
        Assert.Equal("""["a=yes","b=no"]""", done.Result.Json());
    }
}

public sealed class SavedStateTests
{
    [Fact]
    public async Task A_waiting_run_saved_as_json_resumes_in_another_engine_with_loops_joins_and_secrets()
    {
        var flow = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("token", "code.js", """{ "source": "return 'key=' + secret('api')" }""")
            .Node("each", "flow.loop", """{ "items": ["a", "b"] }""")
            .Node("ask", "flow.wait", """{ "mode": "resume" }""")
            .Node("answer", "flow.loopEnd", """{ "value": "={{ loop.item + '=' + input }}" }""")
            .Node("join", "flow.merge")
            .Node("result", "flow.return", """{ "value": { "answers": "={{ input.each }}", "token": "={{ input.token }}" } }""")
            .Chain("start", "token", "join").Chain("start", "each").Chain("each.item", "ask", "answer").Edge("each.done", "join").Chain("join", "result")
            .Build();
        var request = new RunRequest { Secrets = new Dictionary<string, string> { ["api"] = "k-123-secret" } };
        var first = new TestEngine();
        var waiting = await first.RunAsync(flow, request);

        var saved = waiting.SaveState();
        var second = new TestEngine();
        var token = TestContext.Current.CancellationToken;
        var middle = await second.Executor.ResumeAsync(second.Compile(flow), saved, request, "ask", JsonValue.Create("yes"), token);
        var third = new TestEngine();
        var done = await third.Executor.ResumeAsync(third.Compile(flow), middle.SaveState(), request, middle.Waits[0].Token, JsonValue.Create("no"), token);

        Assert.Equal(ExecutionStatus.Succeeded, done.Status);
        Assert.Equal("""{"answers":["a=yes","b=no"],"token":"key=k-123-secret"}""", done.Result.Json());
        Assert.Equal([NodeRunStatus.Succeeded, NodeRunStatus.Succeeded], done.RunsOf("ask").Select(r => r.Status));
        Assert.Equal(["each[0]", "each[1]"], done.RunsOf("answer").Select(r => r.Scope));
        Assert.DoesNotContain("k-123-secret", System.Text.Json.JsonSerializer.Serialize(done.Record), StringComparison.Ordinal);
        Assert.DoesNotContain("k-123-secret", saved.Replace("key=k-123-secret", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_used_resume_token_cannot_resume_again()
    {
        var engine = new TestEngine();
        var flow = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("ask", "flow.wait", """{ "mode": "resume" }""")
            .Chain("start", "ask").Build();
        var waiting = await engine.RunAsync(flow);
        var tokenValue = waiting.Waits[0].Token;
        var done = await engine.Executor.ResumeAsync(waiting, tokenValue, null, TestContext.Current.CancellationToken);

        Assert.Equal(ExecutionStatus.Succeeded, done.Status);
        Assert.Throws<InvalidOperationException>(() => done.SaveState());
        await Assert.ThrowsAsync<ArgumentException>(() => engine.Executor.ResumeAsync(waiting, tokenValue, null, TestContext.Current.CancellationToken));
    }
}
