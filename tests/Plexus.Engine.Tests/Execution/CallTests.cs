using Plexus.Engine.Execution;
using Plexus.Engine.Tests.Support;

namespace Plexus.Engine.Tests.Execution;

public sealed class CallTests
{
    [Fact]
    public async Task A_call_outputs_the_blueprint_result()
    {
        var engine = new TestEngine();
        engine.BlueprintDocuments["double"] = new WorkflowBuilder("double")
            .Node("in", "trigger.manual").Node("out", "flow.return", """{ "value": "={{ input * 2 }}" }""").Chain("in", "out").Build();
        var flow = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("call", "flow.call", """{ "workflow": "double", "input": 21 }""")
            .Node("result", "flow.return")
            .Chain("start", "call", "result");

        var result = await engine.RunAsync(flow);

        Assert.Equal("42", result.Result.Json());
    }

    [Fact]
    public async Task A_secret_a_blueprint_hands_back_stays_masked_in_the_caller_record()
    {
        var engine = new TestEngine();
        engine.Secrets["token"] = "tok-SECRET-99";
        engine.BlueprintDocuments["auth"] = new WorkflowBuilder("auth")
            .Node("in", "trigger.manual").Node("out", "flow.return", """{ "value": { "header": "Bearer <secret:token>" } }""").Chain("in", "out").Build();
        var flow = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("call", "flow.call", """{ "workflow": "auth" }""")
            .Node("use", "data.set", """{ "value": "={{ input.header + '!' }}" }""")
            .Chain("start", "call", "use");

        var result = await engine.RunAsync(flow);

        Assert.Equal(ExecutionStatus.Succeeded, result.Status);
        Assert.Equal("\"Bearer ***!\"", result.Single("use").Output.Json());
        Assert.DoesNotContain("tok-SECRET-99", System.Text.Json.JsonSerializer.Serialize(result.Record), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_blueprint_fails_the_call_node()
    {
        var engine = new TestEngine();
        var flow = new WorkflowBuilder()
            .Node("start", "trigger.manual")
            .Node("call", "flow.call", """{ "workflow": "missing" }""")
            .Chain("start", "call");

        var result = await engine.RunAsync(flow);

        Assert.Equal(new ExecutionError("no blueprint 'missing'", "call", "call"), result.Error);
    }
}
