using Plexus.Engine.Expressions;
using Plexus.Engine.Nodes;
using Plexus.Engine.Workflows;

namespace Plexus.Nodes.Flow;

/// <summary>Ends the innermost loop: no new iterations start and <c>done</c> fires with what was collected so far.</summary>
public sealed class Break : NodeType
{
    public override NodeTypeInfo Info { get; } = new()
    {
        Type = "flow.break",
        Category = "flow",
        Title = "Break",
        Description = "Ends the innermost loop: no further iterations start, and 'done' fires with what was collected so far.",
        Icon = "octagon-x",
        Outputs = [],
        SettingsSchema = SettingsSchema.Object(),
    };

    public override ValueTask<NodeResult> ExecuteAsync(NodeContext context, CancellationToken cancellationToken) =>
        ValueTask.FromResult(NodeResult.Break());

    public override void Validate(NodeDefinition node, WorkflowShape workflow, ScriptHost scripts, Action<string, string> report) =>
        LoopRules.InnermostLoop(node, workflow, report);
}
