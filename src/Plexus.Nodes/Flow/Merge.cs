using Plexus.Engine.Nodes;

namespace Plexus.Nodes.Flow;

/// <summary>Waits for every incoming edge (item or skip), then fires once with the items keyed by source node id.</summary>
public sealed class Merge : NodeType
{
    public override NodeTypeInfo Info { get; } = new()
    {
        Type = "flow.merge",
        Category = "flow",
        Title = "Merge",
        Description = "Waits until every incoming branch delivered an item or was skipped, then outputs one object keyed by source node id (skipped branches absent).",
        Icon = "merge",
        JoinsInputs = true,
        SettingsSchema = SettingsSchema.Object(),
    };

    public override ValueTask<NodeResult> ExecuteAsync(NodeContext context, CancellationToken cancellationToken) =>
        ValueTask.FromResult(NodeResult.Emit(context.Input));
}
