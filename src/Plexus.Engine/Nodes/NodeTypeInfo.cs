using System.Text.Json.Nodes;

namespace Plexus.Engine.Nodes;

/// <summary>What the editor, the validator and the executor know about a node type before running it.</summary>
public sealed class NodeTypeInfo
{
    public required string Type { get; init; }
    public int Version { get; init; } = 1;
    public required string Category { get; init; }
    public required string Title { get; init; }
    public required string Description { get; init; }
    public string Icon { get; init; } = "box";

    /// <summary>Input ports. Triggers have none.</summary>
    public IReadOnlyList<string> Inputs { get; init; } = ["in"];

    /// <summary>Output ports besides the implicit <c>error</c> port.</summary>
    public IReadOnlyList<string> Outputs { get; init; } = ["out"];

    /// <summary>
    /// Ports that depend on the node's settings (<c>flow.switch</c>'s cases); null when <see cref="Outputs"/> is all there is.
    /// </summary>
    public Func<JsonObject?, IReadOnlyList<string>>? OutputsFor { get; init; }

    /// <summary>JSON Schema (an object schema) of the node's settings; unknown settings are refused.</summary>
    public required JsonObject SettingsSchema { get; init; }

    /// <summary>Settings that are never evaluated as expressions or templates (code, route templates).</summary>
    public IReadOnlySet<string> RawSettings { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    public bool IsTrigger { get; init; }

    /// <summary>At most one node of this type per workflow (e.g. <c>trigger.manual</c>).</summary>
    public bool SingleInstance { get; init; }

    /// <summary>Waits for every incoming edge to deliver an item or a skip, then fires once (<c>flow.merge</c>).</summary>
    public bool JoinsInputs { get; init; }

    public IReadOnlyList<string> OutputPorts(JsonObject? settings) => OutputsFor?.Invoke(settings) ?? Outputs;
}
