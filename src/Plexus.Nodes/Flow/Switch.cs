using System.Text.Json.Nodes;
using Plexus.Engine.Expressions;
using Plexus.Engine.Nodes;
using Plexus.Engine.Workflows;

namespace Plexus.Nodes.Flow;

/// <summary>Sends its input on the port of the first case whose <c>equals</c> matches the value, else on <c>default</c>.</summary>
public sealed class Switch : NodeType
{
    private const string DefaultPort = "default";

    public override NodeTypeInfo Info { get; } = new()
    {
        Type = "flow.switch",
        Category = "flow",
        Title = "Switch",
        Description = "Passes the input on the port of the first case whose 'equals' is deep-equal to the value, else on 'default'.",
        Icon = "list-tree",
        Outputs = [DefaultPort],
        OutputsFor = settings => [.. CasePorts(settings), DefaultPort],
        SettingsSchema = SettingsSchema.Object(
            new Setting("value", SettingsSchema.Any("The value to compare, usually an expression."), Required: true),
            new Setting("cases", SettingsSchema.Array("Cases in order: { port, equals }.", SettingsSchema.Object(
                new Setting("port", SettingsSchema.String("Output port name.", minLength: 1), Required: true),
                new Setting("equals", SettingsSchema.Any("The value that selects this port."), Required: true))), Required: true)),
    };

    public override ValueTask<NodeResult> ExecuteAsync(NodeContext context, CancellationToken cancellationToken)
    {
        var value = context.Settings.Get("value");
        var port = DefaultPort;
        if (context.Settings.Get("cases") is JsonArray cases)
        {
            foreach (var entry in cases.OfType<JsonObject>())
            {
                if (JsonNode.DeepEquals(entry["equals"], value))
                {
                    port = entry["port"]!.GetValue<string>();
                    break;
                }
            }
        }

        return ValueTask.FromResult(NodeResult.Emit(context.Input, port));
    }

    public override void Validate(NodeDefinition node, WorkflowShape workflow, ScriptHost scripts, Action<string, string> report)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal) { DefaultPort, WorkflowShape.ErrorPort };
        var index = 0;
        foreach (var port in CasePorts(node.Settings))
        {
            if (!seen.Add(port))
            {
                report($"settings.cases[{index}].port", $"port '{port}' is used twice or is reserved ('default', 'error')");
            }

            index++;
        }
    }

    private static IEnumerable<string> CasePorts(JsonObject? settings) =>
        settings?["cases"] is JsonArray cases
            ? cases.Select(c => c is JsonObject o && o["port"] is JsonValue v && v.TryGetValue<string>(out var port) ? port : "").Where(p => p.Length > 0)
            : [];
}
