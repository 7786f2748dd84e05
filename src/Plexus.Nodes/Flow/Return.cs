using Plexus.Engine.Nodes;

namespace Plexus.Nodes.Flow;

/// <summary>Sets the run's result (the first return that runs wins) and passes it on.</summary>
public sealed class Return : NodeType
{
    public override NodeTypeInfo Info { get; } = new()
    {
        Type = "flow.return",
        Category = "flow",
        Title = "Return",
        Description = "Sets the run's result to the value (default: the input). The first return that runs wins; the run goes on until nothing is pending.",
        Icon = "corner-up-right",
        SettingsSchema = SettingsSchema.Object(new Setting("value", SettingsSchema.Any("The result; default: the input."))),
    };

    public override ValueTask<NodeResult> ExecuteAsync(NodeContext context, CancellationToken cancellationToken) =>
        ValueTask.FromResult(NodeResult.Return(context.Settings.Has("value") ? context.Settings.Get("value") : context.Input));
}
