using System.Text.RegularExpressions;
using Plexus.Engine.Expressions;
using Plexus.Engine.Nodes;
using Plexus.Engine.Workflows;

namespace Plexus.Engine.Validation;

/// <summary>Finds every problem of a document at once, each at its exact path.</summary>
public sealed partial class WorkflowValidator(NodeCatalog catalog, ScriptHost scripts)
{
    public IReadOnlyList<Problem> Validate(WorkflowDocument document)
    {
        var problems = new List<Problem>();
        if (document.Schema != WorkflowDocument.CurrentSchema)
        {
            problems.Add(new("schema", $"must be \"{WorkflowDocument.CurrentSchema}\""));
        }

        if (string.IsNullOrWhiteSpace(document.Name))
        {
            problems.Add(new("name", "is required"));
        }

        if (document.Kind is not null and not "flow" and not "blueprint")
        {
            problems.Add(new("kind", "must be \"flow\" or \"blueprint\""));
        }

        var shape = new WorkflowShape(document, catalog);
        var references = new Dictionary<int, List<(string Path, string Id)>>();
        CheckNodes(shape, references, problems);
        CheckEdges(shape, problems);
        if (shape.FindCycle() is { } cycle)
        {
            var names = string.Join(" → ", cycle.Select(i => shape.Nodes[i].Id));
            problems.Add(new("edges", $"cycle {names}; repeat work with flow.loop or flow.jump instead"));
        }
        else
        {
            CheckLoops(shape, problems);
            CheckReferences(shape, references, problems);
            CheckNodeRules(shape, problems);
        }

        CheckPinned(shape, problems);
        if (shape.Document.Retry is { } workflowRetry)
        {
            CheckRetry(workflowRetry, "retry", problems);
        }
        return problems;
    }

    private void CheckNodes(WorkflowShape shape, Dictionary<int, List<(string Path, string Id)>> references, List<Problem> problems)
    {
        var firstById = new Dictionary<string, int>(StringComparer.Ordinal);
        var firstSingle = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < shape.Nodes.Count; i++)
        {
            var path = JsonPaths.Index("nodes", i);
            var node = shape.Nodes[i];
            if (node is null)
            {
                problems.Add(new(path, "must be a node object, not null"));
                continue;
            }

            if (string.IsNullOrEmpty(node.Id))
            {
                problems.Add(new($"{path}.id", "is required"));
            }
            else if (!NodeId().IsMatch(node.Id))
            {
                problems.Add(new($"{path}.id", "must start with a letter or '_' and hold only letters, digits, '_' and '-' (at most 64)"));
            }
            else if (!firstById.TryAdd(node.Id, i))
            {
                problems.Add(new($"{path}.id", $"duplicate id '{node.Id}' (also nodes[{firstById[node.Id]}])"));
            }

            if (string.IsNullOrEmpty(node.Type))
            {
                problems.Add(new($"{path}.type", "is required"));
                continue;
            }

            if (shape.Types[i] is not { } type)
            {
                var suggestions = catalog.Suggest(node.Type);
                var hint = suggestions.Count > 0 ? $"; did you mean {string.Join(", ", suggestions.Select(s => $"'{s}'"))}?" : "";
                problems.Add(new($"{path}.type", $"unknown node type '{node.Type}'{hint}"));
                continue;
            }

            if (type.Info.SingleInstance && !firstSingle.TryAdd(node.Type, i))
            {
                problems.Add(new($"{path}.type", $"only one '{node.Type}' is allowed per workflow (also nodes[{firstSingle[node.Type]}])"));
            }

            references[i] = CheckSettings(node, type, path, problems);
            CheckRuntimeFields(node, path, problems);
        }
    }

    /// <summary>Checks the settings against the schema and compiles their expressions; returns the node ids they read.</summary>
    private List<(string Path, string Id)> CheckSettings(NodeDefinition node, NodeType type, string path, List<Problem> problems)
    {
        var referenced = new List<(string Path, string Id)>();
        var settingsPath = $"{path}.settings";
        var schemaProblems = new List<Problem>();
        SchemaCheck.Check(node.Settings ?? [], type.Info.SettingsSchema, settingsPath, expressionsAllowed: true, schemaProblems, type.Info.RawSettings);
        problems.AddRange(schemaProblems);
        if (schemaProblems.Count > 0 || node.Settings is null)
        {
            return referenced;
        }

        foreach (var (name, value) in node.Settings)
        {
            if (type.Info.RawSettings.Contains(name))
            {
                continue;
            }

            var compiled = scripts.Compile(value);
            referenced.AddRange(compiled.ReferencedNodes.Select(id => (JsonPaths.Child(settingsPath, name), id)));
            foreach (var problem in compiled.Problems)
            {
                problems.Add(new(JsonPaths.Join(JsonPaths.Child(settingsPath, name), problem.Path), $"expression error: {problem.Error}"));
            }
        }

        // Nodes that run code (code.js) compile it in Prepare; what the code reads is checked like expressions.
        if (type.Prepare(node, scripts) is CompiledCode code)
        {
            referenced.AddRange(code.ReferencedNodes.Select(id => (settingsPath, id)));
        }

        return referenced;
    }

    private static void CheckRuntimeFields(NodeDefinition node, string path, List<Problem> problems)
    {
        if (node.Retry is { } retry)
        {
            CheckRetry(retry, $"{path}.retry", problems);
        }

        if (node.TimeoutMs is < 1 or > 86_400_000)
        {
            problems.Add(new($"{path}.timeoutMs", "must be 1..86400000"));
        }
    }

    private static void CheckEdges(WorkflowShape shape, List<Problem> problems)
    {
        var seen = new Dictionary<(string, string), int>();
        var edges = shape.Document.Edges;
        for (var e = 0; e < edges.Count; e++)
        {
            var path = JsonPaths.Index("edges", e);
            var edge = edges[e];
            if (edge is null)
            {
                problems.Add(new(path, "must be an edge object, not null"));
                continue;
            }

            var fromOk = CheckEndpoint(shape, edge.From, $"{path}.from", output: true, problems, out var from);
            var toOk = CheckEndpoint(shape, edge.To, $"{path}.to", output: false, problems, out var to);
            if (!fromOk || !toOk)
            {
                continue;
            }

            if (from.Node == to.Node)
            {
                problems.Add(new(path, $"connects node '{from.Node}' to itself; repeat work with flow.loop or flow.jump instead"));
            }
            else if (!seen.TryAdd(($"{from.Node}.{from.Port}", $"{to.Node}.{to.Port}"), e))
            {
                problems.Add(new(path, $"duplicate edge {from.Node}.{from.Port} → {to.Node}.{to.Port} (also edges[{seen[($"{from.Node}.{from.Port}", $"{to.Node}.{to.Port}")]}])"));
            }
        }
    }

    private static bool CheckEndpoint(WorkflowShape shape, string? endpoint, string path, bool output, List<Problem> problems, out (string Node, string Port) resolved)
    {
        resolved = default;
        if (string.IsNullOrEmpty(endpoint))
        {
            problems.Add(new(path, "is required"));
            return false;
        }

        var (id, port) = WorkflowShape.SplitEndpoint(endpoint, null);
        if (!shape.TryGetIndex(id, out var index))
        {
            problems.Add(new(path, $"names node '{id}', which does not exist"));
            return false;
        }

        if (shape.Types[index] is not { } type)
        {
            return false; // the unknown type is reported on the node
        }

        var ports = output ? [.. type.Info.OutputPorts(shape.Nodes[index].Settings), WorkflowShape.ErrorPort] : type.Info.Inputs;
        port ??= output ? shape.DefaultOutput(index) : shape.DefaultInput(index);
        if (!ports.Contains(port))
        {
            var kind = output ? "output" : "input";
            var list = ports.Count == 0 ? $"'{id}' has no {kind} ports" : $"{kind} ports of '{id}' ({type.Info.Type}): {string.Join(", ", ports)}";
            problems.Add(new(path, $"unknown {kind} port '{port}'; {list}"));
            return false;
        }

        resolved = (id, port);
        return true;
    }

    private static void CheckLoops(WorkflowShape shape, List<Problem> problems)
    {
        foreach (var (loop, body) in shape.LoopBodies)
        {
            var loopId = shape.Nodes[loop].Id;
            foreach (var edge in shape.Edges)
            {
                var entersBody = body.Contains(edge.To) && !body.Contains(edge.From);
                var fromItemPort = edge.From == loop && edge.FromPort == WorkflowShape.LoopItemPort;
                if (entersBody && !fromItemPort)
                {
                    problems.Add(new(JsonPaths.Index("edges", edge.Index),
                        $"enters the body of loop '{loopId}' from outside; only '{loopId}.item' leads into it (read other values with nodes.<id>.output)"));
                }
            }

            if (body.Contains(loop))
            {
                problems.Add(new(JsonPaths.Index("nodes", loop), $"loop '{loopId}' is inside its own body"));
            }
        }
    }

    private static void CheckReferences(WorkflowShape shape, Dictionary<int, List<(string Path, string Id)>> references, List<Problem> problems)
    {
        foreach (var (i, ids) in references)
        {
            foreach (var (path, id) in ids.Distinct())
            {
                if (!shape.TryGetIndex(id, out var target))
                {
                    problems.Add(new(path, $"an expression reads node '{id}', which does not exist"));
                }
                else if (!shape.IsAncestor(target, i))
                {
                    problems.Add(new(path, $"an expression reads node '{id}', which does not run before '{shape.Nodes[i].Id}' (only upstream nodes can be read)"));
                }
            }
        }
    }

    private void CheckNodeRules(WorkflowShape shape, List<Problem> problems)
    {
        for (var i = 0; i < shape.Nodes.Count; i++)
        {
            if (shape.Nodes[i] is not { } node || shape.Types[i] is not { } type)
            {
                continue;
            }

            var path = JsonPaths.Index("nodes", i);
            type.Validate(node, shape, scripts, (relative, message) => problems.Add(new(JsonPaths.Join(path, relative), message)));
        }
    }

    private static void CheckRetry(RetryPolicy retry, string path, List<Problem> problems)
    {
        if (retry.Attempts is < 1 or > 10)
        {
            problems.Add(new($"{path}.attempts", "must be 1..10 (it counts every try, the first included)"));
        }

        if (retry.Backoff is not "fixed" and not "exponential")
        {
            problems.Add(new($"{path}.backoff", "must be \"fixed\" or \"exponential\""));
        }

        if (retry.DelayMs is < 0 or > 600_000)
        {
            problems.Add(new($"{path}.delayMs", "must be 0..600000"));
        }
    }

    private static void CheckPinned(WorkflowShape shape, List<Problem> problems)
    {
        if (shape.Document.Pinned is null)
        {
            return;
        }

        foreach (var (id, _) in shape.Document.Pinned)
        {
            if (!shape.TryGetIndex(id, out _))
            {
                problems.Add(new(JsonPaths.Child("pinned", id), $"pins node '{id}', which does not exist"));
            }
        }
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_-]{0,63}$")]
    private static partial Regex NodeId();
}
