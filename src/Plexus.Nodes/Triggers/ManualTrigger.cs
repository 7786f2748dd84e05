using Plexus.Engine.Nodes;

namespace Plexus.Nodes.Triggers;

/// <summary>Starts a run by hand (the editor's Run button, <c>plexus run</c>); emits the run's input or its default test input.</summary>
public sealed class ManualTrigger : NodeType
{
    public override NodeTypeInfo Info { get; } = new()
    {
        Type = "trigger.manual",
        Category = "trigger",
        Title = "Manual trigger",
        Description = "Starts the workflow by hand and emits the given input, or the default test input.",
        Icon = "play",
        Inputs = [],
        IsTrigger = true,
        SingleInstance = true,
        SettingsSchema = SettingsSchema.Object(new Setting("input", SettingsSchema.Any("Default test input, used when the run is started without one."))),
    };

    public override ValueTask<NodeResult> ExecuteAsync(NodeContext context, CancellationToken cancellationToken) =>
        ValueTask.FromResult(NodeResult.Emit(context.RunInput ?? context.Settings.Get("input")));
}
