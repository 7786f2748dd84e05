using System.Text.Json.Nodes;
using Plexus.Engine.Expressions;
using Plexus.Engine.Workflows;

namespace Plexus.Engine.Nodes;

/// <summary>Everything one activation of a node may use. Built by the executor; nodes never reach for statics.</summary>
public sealed class NodeContext
{
    public required NodeDefinition Node { get; init; }
    public required NodeSettings Settings { get; init; }
    public JsonNode? Input { get; init; }
    public JsonNode? Trigger { get; init; }

    /// <summary>For triggers: the data the run was started with (the request of an <c>http.trigger</c>, a manual input).</summary>
    public JsonNode? RunInput { get; init; }

    /// <summary>For a resumed wait: the payload it was resumed with.</summary>
    public JsonNode? ResumePayload { get; init; }

    public bool IsResumed { get; init; }

    /// <summary>1 for the first try.</summary>
    public int Attempt { get; init; }

    /// <summary>What the node type's <see cref="NodeType.Prepare"/> made of this node.</summary>
    public object? Prepared { get; init; }

    public required ExecutionInfo Execution { get; init; }

    /// <summary>The run's secret masking: a node that obtains a credential adds it, so it never shows in records or events.</summary>
    public required Execution.Redactor Redactor { get; init; }
    public required NodeServices Services { get; init; }

    /// <summary>The scope scripts see (<c>input</c>, <c>trigger</c>, <c>nodes</c>, ...), for nodes that run code. Made on first use.</summary>
    public ScriptScope Scope => _scope ??= ScopeSource!.ScopeFor(this);

    private ScriptScope? _scope;

    /// <summary>Where <see cref="Scope"/> comes from; most nodes never ask, so it is not made up front.</summary>
    internal IScriptScopeSource? ScopeSource { get; init; }

    /// <summary>A scope already made for the settings, shared with the node.</summary>
    internal ScriptScope? PreparedScope
    {
        init => _scope = value;
    }

    internal List<string>? LogLines { get; private set; }

    public string NodeId => Node.Id;

    /// <summary>Adds a line to this node run's console log.</summary>
    public void Log(string line) => (LogLines ??= []).Add(line);

    /// <summary>This node run's console log, for nodes that hand it to a script.</summary>
    public ICollection<string> Logs => LogLines ??= [];
}

internal interface IScriptScopeSource
{
    ScriptScope ScopeFor(NodeContext context);
}

/// <summary>Which run this is.</summary>
public sealed record ExecutionInfo(string Id, string Stage, string Workflow, string? CorrelationId);
