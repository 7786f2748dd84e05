using Plexus.Engine.Json;
using Plexus.Engine.Nodes;

namespace Plexus.Nodes.Flow;

/// <summary>Sends its input on <c>true</c> or <c>false</c> by the JavaScript truthiness of the condition.</summary>
public sealed class If : NodeType
{
    public override NodeTypeInfo Info { get; } = new()
    {
        Type = "flow.if",
        Category = "flow",
        Title = "If",
        Description = "Passes the input on 'true' or 'false', by the JavaScript truthiness of the condition (usually an expression).",
        Icon = "split",
        Outputs = ["true", "false"],
        SettingsSchema = SettingsSchema.Object(new Setting("condition", SettingsSchema.Any("The condition, e.g. ={{ input.age >= 18 }}."), Required: true)),
    };

    public override ValueTask<NodeResult> ExecuteAsync(NodeContext context, CancellationToken cancellationToken) =>
        ValueTask.FromResult(NodeResult.Emit(context.Input, JsonValues.IsTruthy(context.Settings.Get("condition")) ? "true" : "false"));
}
