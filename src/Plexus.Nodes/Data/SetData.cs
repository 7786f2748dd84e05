using Plexus.Engine.Nodes;

namespace Plexus.Nodes.Data;

/// <summary>Outputs a value: any JSON, with expressions and templates anywhere inside.</summary>
public sealed class SetData : NodeType
{
    public override NodeTypeInfo Info { get; } = new()
    {
        Type = "data.set",
        Category = "data",
        Title = "Set data",
        Description = "Outputs the given value; expressions and templates inside it are evaluated.",
        Icon = "braces",
        SettingsSchema = SettingsSchema.Object(new Setting("value", SettingsSchema.Any("The output value."), Required: true)),
    };

    public override ValueTask<NodeResult> ExecuteAsync(NodeContext context, CancellationToken cancellationToken) =>
        ValueTask.FromResult(NodeResult.Emit(context.Settings.Get("value")));
}
