using Plexus.Engine.Nodes;

namespace Plexus.Nodes.Flow;

/// <summary>Ends the run at once with a status; pending branches are cancelled.</summary>
public sealed class Exit : NodeType
{
    public override NodeTypeInfo Info { get; } = new()
    {
        Type = "flow.exit",
        Category = "flow",
        Title = "Exit",
        Description = "Ends the run at once with the given status (succeeded, failed, cancelled) and message; pending branches are cancelled.",
        Icon = "log-out",
        Outputs = [],
        SettingsSchema = SettingsSchema.Object(
            new Setting("status", SettingsSchema.Enum("The run's final status.", "succeeded", "succeeded", "failed", "cancelled")),
            new Setting("message", SettingsSchema.String("Why the run ended."))),
    };

    public override ValueTask<NodeResult> ExecuteAsync(NodeContext context, CancellationToken cancellationToken) =>
        ValueTask.FromResult(NodeResult.Exit(new ExitRequest(context.Settings.GetString("status") ?? "succeeded", context.Settings.GetString("message"))));
}
