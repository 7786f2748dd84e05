using System.Text.Json.Nodes;

namespace Plexus.Engine.Expressions;

/// <summary>Outputs of other nodes that an expression may read as <c>nodes.&lt;id&gt;.output</c>.</summary>
public interface INodeOutputs
{
    bool TryGetOutput(string nodeId, out JsonNode? output);
}

/// <summary>What a script sees: <c>input</c>, <c>trigger</c>, <c>nodes</c>, <c>env</c>, <c>execution</c>, <c>loop</c>, <c>secret(name)</c>.</summary>
public sealed class ScriptScope
{
    public JsonNode? Input { get; init; }
    public JsonNode? Trigger { get; init; }
    public INodeOutputs? Nodes { get; init; }
    public IReadOnlyDictionary<string, string>? Env { get; init; }
    /// <summary><c>{ id, stage, workflow }</c>.</summary>
    public JsonNode? Execution { get; init; }
    /// <summary><c>{ item, index }</c> inside a loop body, else null (then <c>loop</c> is undefined).</summary>
    public JsonNode? Loop { get; init; }
    /// <summary>Resolves a secret by name (null when unknown). The executor remembers every value it hands out, to redact it.</summary>
    public Func<string, string?>? Secret { get; init; }
}
