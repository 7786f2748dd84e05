using Plexus.Engine.Nodes;

namespace Plexus.Nodes.Flow;

/// <summary>Fails with a message; an <c>error</c> edge catches it like any other failure.</summary>
public sealed class Fail : NodeType
{
    public override NodeTypeInfo Info { get; } = new()
    {
        Type = "flow.fail",
        Category = "flow",
        Title = "Fail",
        Description = "Fails with the given message. Connected to an error port it is handled, otherwise the run fails.",
        Icon = "circle-x",
        Outputs = [],
        SettingsSchema = SettingsSchema.Object(new Setting("message", SettingsSchema.String("The error message.", minLength: 1), Required: true)),
    };

    public override ValueTask<NodeResult> ExecuteAsync(NodeContext context, CancellationToken cancellationToken) =>
        ValueTask.FromResult(NodeResult.Fail(context.Settings.GetString("message") ?? "failed", "fail"));
}
