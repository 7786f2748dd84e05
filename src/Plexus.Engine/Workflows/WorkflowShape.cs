using Plexus.Engine.Nodes;

namespace Plexus.Engine.Workflows;

/// <summary>One edge with both ends resolved to node indexes and port names.</summary>
public sealed record ResolvedEdge(int Index, int From, string FromPort, int To, string ToPort);

/// <summary>
/// The graph of a document: nodes by id, resolved edges, ancestry and loop bodies. Tolerates invalid
/// documents (bad edges are left out) so that the validator can use it to report everything at once.
/// </summary>
public sealed class WorkflowShape
{
    public const string LoopType = "flow.loop";
    public const string LoopItemPort = "item";
    public const string LoopDonePort = "done";
    public const string ErrorPort = "error";

    private readonly Dictionary<string, int> _indexById = new(StringComparer.Ordinal);
    private readonly List<ResolvedEdge>[] _incoming;
    private readonly List<ResolvedEdge>[] _outgoing;
    private readonly HashSet<int>?[] _ancestors;
    private readonly int[] _innermostLoop;
    private readonly Dictionary<int, HashSet<int>> _loopBodies = [];

    public WorkflowShape(WorkflowDocument document, NodeCatalog catalog)
    {
        Document = document;
        Nodes = document.Nodes;
        var count = Nodes.Count;
        Types = new NodeType?[count];
        _incoming = new List<ResolvedEdge>[count];
        _outgoing = new List<ResolvedEdge>[count];
        _ancestors = new HashSet<int>?[count];
        _innermostLoop = new int[count];
        for (var i = 0; i < count; i++)
        {
            _incoming[i] = [];
            _outgoing[i] = [];
            _innermostLoop[i] = -1;
            var node = Nodes[i];
            if (node is null)
            {
                continue;
            }

            _indexById.TryAdd(node.Id ?? "", i);
            Types[i] = node.Type is not null && catalog.TryGet(node.Type, out var type) ? type : null;
        }

        var edges = new List<ResolvedEdge>();
        for (var e = 0; e < document.Edges.Count; e++)
        {
            var edge = document.Edges[e];
            if (edge?.From is null || edge.To is null)
            {
                continue;
            }

            var (fromId, fromPort) = SplitEndpoint(edge.From, null);
            var (toId, toPort) = SplitEndpoint(edge.To, null);
            if (!_indexById.TryGetValue(fromId, out var from) || !_indexById.TryGetValue(toId, out var to))
            {
                continue;
            }

            var resolved = new ResolvedEdge(e, from, fromPort ?? DefaultOutput(from), to, toPort ?? DefaultInput(to));
            edges.Add(resolved);
            _outgoing[from].Add(resolved);
            _incoming[to].Add(resolved);
        }

        Edges = edges;
        HasCycle = FindCycle() is not null;
        if (!HasCycle)
        {
            ComputeLoopBodies();
        }
    }

    public WorkflowDocument Document { get; }
    public IReadOnlyList<NodeDefinition> Nodes { get; }
    public NodeType?[] Types { get; }
    public IReadOnlyList<ResolvedEdge> Edges { get; }
    public bool HasCycle { get; }

    public bool TryGetIndex(string id, out int index) => _indexById.TryGetValue(id, out index);

    public IReadOnlyList<ResolvedEdge> Incoming(int node) => _incoming[node];

    public IReadOnlyList<ResolvedEdge> Outgoing(int node) => _outgoing[node];

    /// <summary>Splits <c>node.port</c>; a bare id means the default port.</summary>
    public static (string Node, string? Port) SplitEndpoint(string endpoint, string? defaultPort)
    {
        var dot = endpoint.LastIndexOf('.');
        return dot > 0 ? (endpoint[..dot], endpoint[(dot + 1)..]) : (endpoint, defaultPort);
    }

    public string DefaultOutput(int node)
    {
        var outputs = Types[node]?.Info.OutputPorts(Nodes[node].Settings);
        return outputs is { Count: > 0 } ? outputs[0] : "out";
    }

    public string DefaultInput(int node)
    {
        var inputs = Types[node]?.Info.Inputs;
        return inputs is { Count: > 0 } ? inputs[0] : "in";
    }

    /// <summary>True when <paramref name="ancestor"/> runs before <paramref name="node"/> on some path.</summary>
    public bool IsAncestor(int ancestor, int node) => Ancestors(node).Contains(ancestor);

    public IReadOnlySet<int> Ancestors(int node)
    {
        if (_ancestors[node] is { } known)
        {
            return known;
        }

        var seen = new HashSet<int>();
        var stack = new Stack<int>();
        stack.Push(node);
        while (stack.Count > 0)
        {
            foreach (var edge in _incoming[stack.Pop()])
            {
                if (seen.Add(edge.From))
                {
                    stack.Push(edge.From);
                }
            }
        }

        seen.Remove(node);
        return _ancestors[node] = seen;
    }

    /// <summary>Every node downstream of <paramref name="node"/> (not itself).</summary>
    public HashSet<int> Descendants(int node)
    {
        var seen = new HashSet<int>();
        var stack = new Stack<int>();
        stack.Push(node);
        while (stack.Count > 0)
        {
            foreach (var edge in _outgoing[stack.Pop()])
            {
                if (seen.Add(edge.To))
                {
                    stack.Push(edge.To);
                }
            }
        }

        seen.Remove(node);
        return seen;
    }

    /// <summary>The index of the innermost <c>flow.loop</c> whose body holds the node, or -1.</summary>
    public int InnermostLoop(int node) => _innermostLoop[node];

    public IReadOnlyDictionary<int, HashSet<int>> LoopBodies => _loopBodies;

    /// <summary>A cycle as node indexes (first repeated at the end), or null.</summary>
    public IReadOnlyList<int>? FindCycle()
    {
        var state = new byte[Nodes.Count]; // 0 new, 1 on the stack, 2 done
        var path = new List<int>();
        for (var start = 0; start < Nodes.Count; start++)
        {
            if (state[start] == 0 && Visit(start) is { } cycle)
            {
                return cycle;
            }
        }

        return null;

        List<int>? Visit(int node)
        {
            state[node] = 1;
            path.Add(node);
            foreach (var edge in _outgoing[node])
            {
                if (state[edge.To] == 1)
                {
                    var from = path.IndexOf(edge.To);
                    return [.. path[from..], edge.To];
                }

                if (state[edge.To] == 0 && Visit(edge.To) is { } cycle)
                {
                    return cycle;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }
    }

    private void ComputeLoopBodies()
    {
        for (var loop = 0; loop < Nodes.Count; loop++)
        {
            if (Nodes[loop]?.Type != LoopType)
            {
                continue;
            }

            var body = new HashSet<int>();
            var stack = new Stack<int>();
            foreach (var edge in _outgoing[loop])
            {
                if (edge.FromPort == LoopItemPort && body.Add(edge.To))
                {
                    stack.Push(edge.To);
                }
            }

            while (stack.Count > 0)
            {
                foreach (var edge in _outgoing[stack.Pop()])
                {
                    if (body.Add(edge.To))
                    {
                        stack.Push(edge.To);
                    }
                }
            }

            _loopBodies[loop] = body;
        }

        // The innermost loop of a node is the loop with the smallest body that holds it.
        foreach (var (loop, body) in _loopBodies.OrderByDescending(pair => pair.Value.Count))
        {
            foreach (var node in body)
            {
                _innermostLoop[node] = loop;
            }
        }
    }
}
