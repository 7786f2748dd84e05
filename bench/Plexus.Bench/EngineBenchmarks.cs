using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Plexus.Engine.Execution;
using Plexus.Engine.Expressions;
using Plexus.Engine.Nodes;
using Plexus.Engine.Workflows;
using Plexus.Nodes;

namespace Plexus.Bench;

/// <summary>
/// Engine overhead: (a) a chain of 100 literal <c>data.set</c> nodes, (b) a loop over 10,000 items with a
/// <c>data.set</c> body, (c) <c>examples/greet.json</c> end to end in-process. Divide (a) by 100 for the cost per node.
/// </summary>
[MemoryDiagnoser]
public class EngineBenchmarks
{
    private readonly RunRequest _manual = new() { ExecutionId = "bench" };
    private WorkflowExecutor _executor = null!;
    private ExecutionPlan _chain = null!;
    private ExecutionPlan _loop = null!;
    private ExecutionPlan _greet = null!;
    private RunRequest _greetRequest = null!;

    [GlobalSetup]
    public void Setup()
    {
        var scripts = new ScriptHost();
        var compiler = new WorkflowCompiler(BuiltInNodes.Catalog(), scripts);
        _executor = new WorkflowExecutor(new NodeServices { Time = TimeProvider.System, Scripts = scripts, Http = new HttpClient() });
        _chain = Compile(compiler, Chain(100));
        _loop = Compile(compiler, Loop(10_000));
        _greet = Compile(compiler, WorkflowFile.Parse(File.ReadAllText(FindExample("greet.json"))).Document!);
        _greetRequest = new RunRequest
        {
            ExecutionId = "bench",
            TriggerNodeId = "hook",
            Input = JsonNode.Parse("""
                { "method": "POST", "path": "/hook/42", "params": { "id": "42" }, "query": {}, "headers": { "content-type": "application/json" },
                  "body": { "name": "bench", "numbers": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] } }
                """),
        };
    }

    [Benchmark(Description = "(a) chain of 100 data.set")]
    public Task<ExecutionResult> Chain100() => _executor.RunAsync(_chain, _manual, CancellationToken.None);

    [Benchmark(Description = "(a') chain of 100 data.set + stored record")]
    public int Chain100WithRecord() => _executor.RunAsync(_chain, _manual, CancellationToken.None).Result.Record.Nodes.Count;

    [Benchmark(Description = "(b) loop over 10,000 items")]
    public Task<ExecutionResult> Loop10k() => _executor.RunAsync(_loop, _manual, CancellationToken.None);

    [Benchmark(Description = "(c) greet.json end to end")]
    public async Task<int> Greet() => (await _executor.RunAsync(_greet, _greetRequest, CancellationToken.None)).Response!.Status;

    private static ExecutionPlan Compile(WorkflowCompiler compiler, WorkflowDocument document)
    {
        var compiled = compiler.Compile(document);
        return compiled.Plan ?? throw new InvalidOperationException(string.Join("; ", compiled.Problems));
    }

    private static WorkflowDocument Chain(int length)
    {
        var nodes = new List<NodeDefinition> { new() { Id = "start", Type = "trigger.manual" } };
        var edges = new List<EdgeDefinition>();
        for (var i = 0; i < length; i++)
        {
            nodes.Add(new NodeDefinition { Id = $"n{i}", Type = "data.set", Settings = new JsonObject { ["value"] = new JsonObject { ["step"] = i, ["ok"] = true } } });
            edges.Add(new EdgeDefinition(i == 0 ? "start" : $"n{i - 1}", $"n{i}"));
        }

        return new WorkflowDocument { Name = "chain", Nodes = nodes, Edges = edges };
    }

    private static WorkflowDocument Loop(int count) => new()
    {
        Name = "loop",
        Nodes =
        [
            new NodeDefinition { Id = "start", Type = "trigger.manual" },
            new NodeDefinition { Id = "each", Type = "flow.loop", Settings = new JsonObject { ["items"] = new JsonArray([.. Enumerable.Range(0, count).Select(i => (JsonNode)i)]) } },
            new NodeDefinition { Id = "body", Type = "data.set", Settings = new JsonObject { ["value"] = new JsonObject { ["seen"] = true } } },
            new NodeDefinition { Id = "end", Type = "flow.loopEnd" },
        ],
        Edges = [new("start", "each"), new("each.item", "body"), new("body", "end")],
    };

    private static string FindExample(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "examples", name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"examples/{name} not found above {AppContext.BaseDirectory}");
    }
}
