using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Plexus.Engine.Execution;
using Plexus.Engine.Expressions;
using Plexus.Engine.Nodes;
using Plexus.Engine.Workflows;
using Plexus.Nodes;

namespace Plexus.Engine.Tests.Support;

/// <summary>The real engine with the built-in nodes (and any test node types), on a real or fake clock.</summary>
public sealed class TestEngine
{
    private readonly WorkflowCompiler _compiler;

    public TestEngine(TimeProvider? time = null, ExecutorOptions? options = null, params NodeType[] extraTypes)
    {
        Time = time ?? TimeProvider.System;
        Scripts = new ScriptHost();
        Catalog = BuiltInNodes.Catalog(extraTypes);
        _compiler = new WorkflowCompiler(Catalog, Scripts);
        Executor = new WorkflowExecutor(new NodeServices { Time = Time, Scripts = Scripts, Http = SharedHttp, Blueprints = Blueprints }, options);
    }

    /// <summary>Blueprints that <c>flow.call</c> finds by name.</summary>
    public Dictionary<string, WorkflowDocument> BlueprintDocuments { get; } = [];

    private IBlueprintRunner Blueprints => new InMemoryBlueprints(this);

    private sealed class InMemoryBlueprints(TestEngine engine) : IBlueprintRunner
    {
        public async ValueTask<BlueprintOutcome> RunAsync(string name, JsonNode? input, BlueprintCall call, CancellationToken cancellationToken)
        {
            if (!engine.BlueprintDocuments.TryGetValue(name, out var document))
            {
                return new BlueprintOutcome(null, $"no blueprint '{name}'");
            }

            var request = new RunRequest { Input = input, Stage = call.Caller.Stage, Secrets = engine.Secrets, Redactor = call.Redactor };
            var result = await engine.Executor.RunAsync(engine.Compile(document), request, cancellationToken);
            return result.Status == ExecutionStatus.Succeeded ? new BlueprintOutcome(result.Result, null) : new BlueprintOutcome(null, result.Error?.Message);
        }
    }

    /// <summary>Secrets the in-memory blueprints resolve.</summary>
    public Dictionary<string, string> Secrets { get; } = [];

    private static readonly HttpClient SharedHttp = new();

    public TimeProvider Time { get; }
    public ScriptHost Scripts { get; }
    public NodeCatalog Catalog { get; }
    public WorkflowExecutor Executor { get; }

    public static FakeTimeProvider FakeClock() => new(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));

    public ExecutionPlan Compile(WorkflowDocument document)
    {
        var compiled = _compiler.Compile(document);
        Assert.True(compiled.Succeeded, "expected a valid document, got: " + string.Join("; ", compiled.Problems));
        return compiled.Plan!;
    }

    public IReadOnlyList<Plexus.Engine.Validation.Problem> Validate(WorkflowDocument document) => _compiler.Validate(document);

    public Task<ExecutionResult> RunAsync(WorkflowDocument document, RunRequest? request = null) =>
        Executor.RunAsync(Compile(document), request ?? new RunRequest(), TestContext.Current.CancellationToken);

    /// <summary>Runs until <paramref name="cancellationToken"/> says stop.</summary>
    public Task<ExecutionResult> RunCancellableAsync(WorkflowDocument document, CancellationToken cancellationToken) =>
        Executor.RunAsync(Compile(document), new RunRequest(), cancellationToken);

    public Task<ExecutionResult> RunAsync(WorkflowBuilder builder, string? input = null) =>
        RunAsync(builder.Build(), new RunRequest { Input = input is null ? null : JsonNode.Parse(input) });
}

public static class RecordExtensions
{
    public static IReadOnlyList<NodeRunRecord> RunsOf(this ExecutionResult result, string nodeId) =>
        [.. result.Record.Nodes.Where(n => n.NodeId == nodeId)];

    public static NodeRunRecord Single(this ExecutionResult result, string nodeId)
    {
        var runs = result.RunsOf(nodeId);
        Assert.True(runs.Count == 1, $"expected one run of '{nodeId}', found {runs.Count}: {Describe(result)}");
        return runs[0];
    }

    public static string Describe(this ExecutionResult result) =>
        string.Join(", ", result.Record.Nodes.Select(n => $"{n.NodeId}:{n.Status}{(n.Error is null ? "" : "(" + n.Error.Message + ")")}"));

    private static readonly System.Text.Json.JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Json(this JsonNode? node) => node?.ToJsonString(Relaxed) ?? "null";
}
