using System.Text.Json.Nodes;
using Plexus.Engine.Workflows;

namespace Plexus.Engine.Tests.Support;

/// <summary>Makes a workflow in a few lines: nodes with settings as JSON text, edges as "from.port" → "to".</summary>
public sealed class WorkflowBuilder(string name = "test")
{
    private readonly List<NodeDefinition> _nodes = [];
    private readonly List<EdgeDefinition> _edges = [];
    private JsonObject? _pinned;

    public WorkflowBuilder Node(string id, string type, string? settings = null, Func<NodeDefinition, NodeDefinition>? with = null)
    {
        var node = new NodeDefinition { Id = id, Type = type, Settings = settings is null ? null : JsonNode.Parse(settings)!.AsObject() };
        _nodes.Add(with is null ? node : with(node));
        return this;
    }

    public WorkflowBuilder Edge(string from, string to)
    {
        _edges.Add(new EdgeDefinition(from, to));
        return this;
    }

    /// <summary>Edges along the given endpoints: Chain("a", "b", "c") is a → b → c.</summary>
    public WorkflowBuilder Chain(params string[] endpoints)
    {
        for (var i = 1; i < endpoints.Length; i++)
        {
            Edge(endpoints[i - 1], endpoints[i]);
        }

        return this;
    }

    public WorkflowBuilder Pin(string node, string json)
    {
        (_pinned ??= [])[node] = JsonNode.Parse(json);
        return this;
    }

    public WorkflowDocument Build() => new() { Name = name, Nodes = [.. _nodes], Edges = [.. _edges], Pinned = _pinned };
}
