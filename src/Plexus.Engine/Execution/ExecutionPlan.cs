using Plexus.Engine.Expressions;
using Plexus.Engine.Nodes;
using Plexus.Engine.Validation;
using Plexus.Engine.Workflows;

namespace Plexus.Engine.Execution;

/// <summary>A valid workflow compiled once for running many times: settings parsed, edges indexed by port.</summary>
public sealed class ExecutionPlan
{
    private readonly Dictionary<string, int> _indexById;

    internal ExecutionPlan(WorkflowDocument document, WorkflowShape shape, PlanNode[] nodes)
    {
        Document = document;
        Shape = shape;
        Nodes = nodes;
        _indexById = nodes.ToDictionary(n => n.Id, n => n.Index, StringComparer.Ordinal);
    }

    public WorkflowDocument Document { get; }
    internal WorkflowShape Shape { get; }
    internal PlanNode[] Nodes { get; }

    public bool TryGetIndex(string nodeId, out int index) => _indexById.TryGetValue(nodeId, out index);

    /// <summary>Whether a run may start at <paramref name="nodeId"/>; if not, why (for the API's problem).</summary>
    public bool CanStartAt(string nodeId, out string? reason)
    {
        reason = !TryGetIndex(nodeId, out var index) ? $"node '{nodeId}' does not exist"
            : Nodes[index].Loop >= 0 ? $"node '{nodeId}' is inside the body of loop '{Nodes[Nodes[index].Loop].Id}'; start at the loop instead"
            : null;
        return reason is null;
    }
}

internal sealed class PlanEdge(int to, int slot)
{
    public int To { get; } = to;

    /// <summary>Which of the target's incoming edges this is (0-based, in document order).</summary>
    public int Slot { get; } = slot;
}

internal sealed class PlanNode
{
    public required int Index { get; init; }
    public required string Id { get; init; }
    public required NodeDefinition Definition { get; init; }
    public required NodeType Type { get; init; }
    public required (string Name, CompiledValue Value)[] DynamicSettings { get; init; }

    /// <summary>Settings when none of them needs evaluating (the common case), shared by every activation.</summary>
    public required NodeSettings? LiteralSettings { get; init; }
    public required object? Prepared { get; init; }
    public required string[] OutputPorts { get; init; }
    public required PlanEdge[][] OutEdges { get; init; }
    public required PlanEdge[] ErrorEdges { get; init; }
    public required int IncomingCount { get; init; }

    /// <summary>Per incoming edge (slot): the key its item gets in a join's output.</summary>
    public required string[] JoinKeys { get; init; }
    public required int Loop { get; init; }

    /// <summary>This node and everything downstream of it, for resetting joins when a jump comes back here.</summary>
    public required int[] Region { get; init; }

    public bool IsTrigger => Type.Info.IsTrigger;
    public bool Joins => Type.Info.JoinsInputs;
    public bool Disabled => Definition.Disabled == true;

    public int PortIndex(string port) => Array.IndexOf(OutputPorts, port);

    /// <summary>Where a disabled or pinned node sends its value: the first port, but never into a loop's iterations.</summary>
    public string PassThroughPort =>
        OutputPorts.Where((_, p) => !LeadsIntoIterations(p)).FirstOrDefault() ?? "out";

    /// <summary>A loop's <c>item</c> port feeds iteration scopes, never its own scope: no skip goes there.</summary>
    public bool LeadsIntoIterations(int port) =>
        Type.Info.Type == WorkflowShape.LoopType && OutputPorts[port] == WorkflowShape.LoopItemPort;
}

/// <summary>A compiled plan, or every problem that kept the document from compiling.</summary>
public sealed record CompileResult(ExecutionPlan? Plan, IReadOnlyList<Problem> Problems)
{
    public bool Succeeded => Plan is not null;
}

/// <summary>Validates a document and compiles it into an <see cref="ExecutionPlan"/>.</summary>
public sealed class WorkflowCompiler(NodeCatalog catalog, ScriptHost scripts)
{
    private readonly WorkflowValidator _validator = new(catalog, scripts);

    public IReadOnlyList<Problem> Validate(WorkflowDocument document) => _validator.Validate(document);

    public CompileResult Compile(WorkflowDocument document)
    {
        var problems = _validator.Validate(document);
        if (problems.Count > 0)
        {
            return new CompileResult(null, problems);
        }

        var shape = new WorkflowShape(document, catalog);
        var nodes = new PlanNode[shape.Nodes.Count];
        for (var i = 0; i < nodes.Length; i++)
        {
            nodes[i] = CompileNode(shape, i);
        }

        return new CompileResult(new ExecutionPlan(document, shape, nodes), []);
    }

    /// <summary>The source id, or <c>id.port</c> when two edges into the same node come from one node.</summary>
    private static string JoinKey(WorkflowShape shape, ResolvedEdge edge)
    {
        var id = shape.Nodes[edge.From].Id;
        var twice = shape.Incoming(edge.To).Count(e => e.From == edge.From) > 1;
        return twice ? $"{id}.{edge.FromPort}" : id;
    }

    private PlanNode CompileNode(WorkflowShape shape, int index)
    {
        var definition = shape.Nodes[index];
        var type = shape.Types[index]!;
        var dynamic = new List<(string, CompiledValue)>();
        foreach (var (name, value) in definition.Settings ?? [])
        {
            if (type.Info.RawSettings.Contains(name))
            {
                continue;
            }

            var compiled = scripts.Compile(value);
            if (!compiled.IsLiteral)
            {
                dynamic.Add((name, compiled));
            }
        }

        var ports = type.Info.OutputPorts(definition.Settings).ToArray();
        var outgoing = shape.Outgoing(index);
        PlanEdge ToPlanEdge(ResolvedEdge edge) =>
            new(edge.To, shape.Incoming(edge.To).ToList().FindIndex(e => e.Index == edge.Index));

        return new PlanNode
        {
            Index = index,
            Id = definition.Id,
            Definition = definition,
            Type = type,
            DynamicSettings = [.. dynamic],
            LiteralSettings = dynamic.Count == 0 ? new NodeSettings(definition.Settings) : null,
            Prepared = type.Prepare(definition, scripts),
            OutputPorts = ports,
            OutEdges = [.. ports.Select(port => outgoing.Where(e => e.FromPort == port).Select(ToPlanEdge).ToArray())],
            ErrorEdges = [.. outgoing.Where(e => e.FromPort == WorkflowShape.ErrorPort).Select(ToPlanEdge)],
            IncomingCount = shape.Incoming(index).Count,
            JoinKeys = [.. shape.Incoming(index).Select(e => JoinKey(shape, e))],
            Loop = shape.InnermostLoop(index),
            Region = [index, .. shape.Descendants(index)],
        };
    }
}
