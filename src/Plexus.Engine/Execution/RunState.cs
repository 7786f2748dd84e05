using System.Globalization;
using System.Text.Json.Nodes;
using Plexus.Engine.Expressions;

namespace Plexus.Engine.Execution;

/// <summary>The top level of a run, or one iteration of a loop: where node outputs and join states live.</summary>
internal sealed class ScopeState(ExecutionPlan plan, ScopeState? parent, LoopState? loop, int index, JsonNode? item) : INodeOutputs
{
    private JsonNode? _loopInfo;

    public ScopeState? Parent { get; } = parent;
    public LoopState? Loop { get; } = loop;
    public int Index { get; } = index;
    public JsonNode? Item { get; } = item;
    public Dictionary<int, JsonNode?> Outputs { get; } = [];
    public Dictionary<int, JoinState>? Joins { get; set; }
    public Dictionary<int, int>? Jumps { get; set; }

    /// <summary>Activations queued or running, waits, and loops holding this scope open.</summary>
    public int Pending { get; set; }

    /// <summary>An iteration that met <c>flow.continue</c>: it adds nothing to its loop's result.</summary>
    public bool Discarded { get; set; }

    /// <summary>An iteration dropped by a <c>flow.break</c> of a lower index, or a run that ended.</summary>
    public bool Cancelled { get; set; }
    public bool Completed { get; set; }
    public List<JsonNode?>? Collected { get; set; }

    public string? Path { get; } = loop is null ? parent?.Path
        : $"{(parent?.Path is { } p ? p + "/" : "")}{plan.Nodes[loop.Node].Id}[{index.ToString(CultureInfo.InvariantCulture)}]";

    /// <summary><c>{ item, index }</c> for scripts, made on first use: most bodies never read it.</summary>
    public JsonNode? LoopInfo => Loop is null ? Parent?.LoopInfo
        : _loopInfo ??= new JsonObject { ["item"] = Item?.DeepClone(), ["index"] = Index };

    public bool IsCancelled => Cancelled || (Parent?.IsCancelled ?? false);

    public bool TryGetOutput(string nodeId, out JsonNode? output)
    {
        if (plan.TryGetIndex(nodeId, out var index))
        {
            for (var scope = this; scope is not null; scope = scope.Parent)
            {
                if (scope.Outputs.TryGetValue(index, out output))
                {
                    return true;
                }
            }
        }

        output = null;
        return false;
    }

    public JoinState Join(int node, int incoming)
    {
        Joins ??= [];
        if (!Joins.TryGetValue(node, out var join))
        {
            Joins[node] = join = new JoinState(incoming);
        }

        return join;
    }
}

/// <summary>How far a join (or a node with several inputs) is: which edges delivered, and what.</summary>
internal sealed class JoinState(JsonNode?[] values, bool[] hasValue)
{
    public JoinState(int incoming)
        : this(new JsonNode?[incoming], new bool[incoming])
    {
    }

    public int Delivered { get; set; }
    public bool ItemArrived { get; set; }
    public JsonNode?[] Values { get; } = values;
    public bool[] HasValue { get; } = hasValue;
}

internal sealed class LoopState(int node, ScopeState scope, JsonArray items, int concurrency, NodeRun record)
{
    public int Node { get; } = node;
    public ScopeState Scope { get; } = scope;
    public JsonArray Items { get; } = items;
    public int Concurrency { get; } = concurrency;
    public NodeRun Record { get; } = record;
    public int Next { get; set; }
    public int Active { get; set; }
    public bool Broken { get; set; }
    public int BreakIndex { get; set; } = int.MaxValue;
    public List<ScopeState> Iterations { get; } = [];
    public SortedDictionary<int, List<JsonNode?>> Collected { get; } = [];
}

internal sealed class WaitState(string token, int node, ScopeState scope, JsonNode? input, DateTimeOffset? resumeAt, NodeRun record)
{
    public string Token { get; } = token;
    public int Node { get; } = node;
    public ScopeState Scope { get; } = scope;
    public JsonNode? Input { get; } = input;
    public DateTimeOffset? ResumeAt { get; } = resumeAt;
    public NodeRun Record { get; } = record;
}

/// <summary>One activation: a node to run in a scope with an input item (or a wait to resume with a payload).</summary>
internal readonly record struct Activation(int Node, ScopeState Scope, JsonNode? Input, WaitState? Resumed = null, JsonNode? Payload = null);
