using Plexus.Engine.Execution;
using Plexus.Engine.Tests.Support;
using Plexus.Engine.Workflows;

namespace Plexus.Engine.Tests.Execution;

public sealed class FailureTests
{
    [Fact]
    public async Task A_connected_error_port_handles_the_failure_and_the_run_goes_on()
    {
        var engine = new TestEngine();
        var flow = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("boom", "flow.fail", """{ "message": "out of stock" }""")
            .Node("handled", "flow.return")
            .Chain("start", "boom").Edge("boom.error", "handled");

        var result = await engine.RunAsync(flow);

        Assert.Equal(ExecutionStatus.Succeeded, result.Status);
        Assert.Equal("""{"message":"out of stock","type":"fail","node":"boom"}""", result.Result.Json());
        Assert.Equal(NodeRunStatus.Failed, result.Single("boom").Status);
    }

    [Fact]
    public async Task An_unhandled_failure_fails_the_run_and_cancels_what_is_pending()
    {
        var engine = new TestEngine();
        var flow = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("boom", "flow.fail", """{ "message": "broken" }""")
            .Node("slowBranch", "data.set", """{ "value": 1 }""")
            .Node("later", "data.set", """{ "value": 2 }""")
            .Chain("start", "boom").Chain("start", "slowBranch", "later");

        var result = await engine.RunAsync(flow);

        Assert.Equal(ExecutionStatus.Failed, result.Status);
        Assert.Equal(new ExecutionError("broken", "fail", "boom"), result.Error);
        Assert.Empty(result.RunsOf("later")); // never started
        Assert.NotNull(result.Record.EndedAt);
    }

    [Fact]
    public async Task Flow_exit_ends_the_run_with_its_status_and_drops_pending_work()
    {
        var engine = new TestEngine();
        var flow = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("quit", "flow.exit", """{ "status": "failed", "message": "quota reached" }""")
            .Node("a", "data.set", """{ "value": 1 }""")
            .Node("b", "data.set", """{ "value": 2 }""")
            .Chain("start", "quit").Chain("start", "a", "b");

        var result = await engine.RunAsync(flow);

        Assert.Equal(ExecutionStatus.Failed, result.Status);
        Assert.Equal("quota reached", result.Error!.Message);
        Assert.Empty(result.RunsOf("b"));
    }

    [Fact]
    public async Task Retries_count_every_try_and_back_off_exponentially_on_the_run_clock()
    {
        var clock = TestEngine.FakeClock();
        var flaky = new FlakyNode(failures: 2);
        var engine = new TestEngine(clock, null, flaky);
        var flow = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("call", "test.flaky", null, n => n with { Retry = new RetryPolicy { Attempts = 3, Backoff = "exponential", DelayMs = 100 } })
            .Node("result", "flow.return")
            .Chain("start", "call", "result");

        var running = engine.RunAsync(flow);
        await WaitUntil(() => flaky.Tries == 1);
        clock.Advance(TimeSpan.FromMilliseconds(99));
        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.Equal(1, flaky.Tries); // not before the first delay (100 ms)
        clock.Advance(TimeSpan.FromMilliseconds(1));
        await WaitUntil(() => flaky.Tries == 2);
        clock.Advance(TimeSpan.FromMilliseconds(199));
        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.Equal(2, flaky.Tries); // the second delay doubles (200 ms)
        clock.Advance(TimeSpan.FromMilliseconds(1));
        var result = await running;

        Assert.Equal(ExecutionStatus.Succeeded, result.Status);
        Assert.Equal(3, result.Single("call").Attempts);
        Assert.Equal("3", result.Result.Json());
    }

    [Fact]
    public async Task When_every_try_fails_the_node_fails_with_the_last_error_and_its_attempts()
    {
        var engine = new TestEngine(null, null, new FlakyNode(failures: 10));
        var flow = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("call", "test.flaky", null, n => n with { Retry = new RetryPolicy { Attempts = 4, Backoff = "fixed", DelayMs = 1 } })
            .Chain("start", "call");

        var result = await engine.RunAsync(flow);

        Assert.Equal(ExecutionStatus.Failed, result.Status);
        Assert.Equal(4, result.Single("call").Attempts);
        Assert.Equal("try 4 failed", result.Error!.Message);
    }

    [Fact]
    public void Fixed_backoff_keeps_the_delay_and_exponential_doubles_it()
    {
        var fixedPolicy = new RetryPolicy { Attempts = 5, Backoff = "fixed", DelayMs = 100 };
        var exponential = fixedPolicy with { Backoff = "exponential" };

        Assert.Equal([100, 100, 100], [.. new[] { 1, 2, 3 }.Select(a => fixedPolicy.DelayAfter(a).TotalMilliseconds)]);
        Assert.Equal([100, 200, 400], [.. new[] { 1, 2, 3 }.Select(a => exponential.DelayAfter(a).TotalMilliseconds)]);
    }

    [Fact]
    public async Task A_node_over_its_timeout_fails_with_a_timeout_error()
    {
        var clock = TestEngine.FakeClock();
        var slow = new SlowNode();
        var engine = new TestEngine(clock, null, slow);
        var flow = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("slow", "test.slow", """{ "delayMs": 5000 }""", n => n with { TimeoutMs = 50 })
            .Chain("start", "slow");

        var running = engine.RunAsync(flow);
        await WaitUntil(() => slow.Started == 1);
        clock.Advance(TimeSpan.FromMilliseconds(50));
        var result = await running;

        Assert.Equal(ExecutionStatus.Failed, result.Status);
        Assert.Equal(new ExecutionError("timed out after 50 ms", "timeout", "slow"), result.Error);
    }

    [Fact]
    public async Task Cancellation_leaves_a_consistent_record()
    {
        var slow = new SlowNode();
        var engine = new TestEngine(null, null, slow);
        var flow = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("slowA", "test.slow", """{ "delayMs": 60000 }""")
            .Node("slowB", "test.slow", """{ "delayMs": 60000 }""")
            .Node("after", "data.set", """{ "value": 1 }""")
            .Chain("start", "slowA", "after").Chain("start", "slowB");
        using var cancel = new CancellationTokenSource();

        var running = engine.RunCancellableAsync(flow.Build(), cancel.Token);
        await WaitUntil(() => slow.Started == 2);
        await cancel.CancelAsync();
        var result = await running;

        Assert.Equal(ExecutionStatus.Cancelled, result.Status);
        Assert.Equal(ExecutionStatus.Cancelled, result.Record.Status);
        Assert.NotNull(result.Record.EndedAt);
        Assert.All(result.Record.Nodes, n => Assert.DoesNotContain(n.Status, new[] { NodeRunStatus.Running, NodeRunStatus.Waiting }));
        Assert.Equal(NodeRunStatus.Cancelled, result.Single("slowA").Status);
        Assert.Empty(result.RunsOf("after"));
    }

    [Fact]
    public async Task An_expression_error_fails_the_node_naming_the_setting()
    {
        var engine = new TestEngine();
        var flow = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("bad", "data.set", """{ "value": "={{ input.missing.deeper }}" }""")
            .Chain("start", "bad");

        var result = await engine.RunAsync(flow, "{}");

        Assert.Equal(ExecutionStatus.Failed, result.Status);
        Assert.StartsWith("settings.value:", result.Error!.Message, StringComparison.Ordinal);
        Assert.Equal("expression", result.Error.Type);
    }

    [Fact]
    public async Task A_code_node_in_an_endless_loop_fails_clearly_and_the_next_run_is_healthy()
    {
        var engine = new TestEngine();
        var endless = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("spin", "code.js", """{ "source": "while (true) {}" }""")
            .Chain("start", "spin");
        var fine = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("ok", "code.js", """{ "source": "return 1 + 1" }""")
            .Node("result", "flow.return")
            .Chain("start", "ok", "result");

        var failed = await engine.RunAsync(endless);
        var healthy = await engine.RunAsync(fine);

        Assert.Equal(ExecutionStatus.Failed, failed.Status);
        Assert.Matches("^(time|statement) limit exceeded", failed.Error!.Message);
        Assert.Equal("limit", failed.Error.Type);
        Assert.Equal("2", healthy.Result.Json());
    }

    internal static async Task WaitUntil(Func<bool> condition)
    {
        // Generous: a loaded machine (CI runs the sandbox's CPU-bound limit tests alongside) can take seconds to give
        // a parallel branch its thread. This bounds a hang; it measures nothing.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!condition() && waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        Assert.True(condition(), "the condition never held");
    }
}
