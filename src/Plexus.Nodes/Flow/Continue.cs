using Plexus.Engine.Expressions;
using Plexus.Engine.Nodes;
using Plexus.Engine.Workflows;

namespace Plexus.Nodes.Flow;

/// <summary>Ends the current iteration's contribution: it adds nothing to the loop's result.</summary>
public sealed class Continue : NodeType
{
    public override NodeTypeInfo Info { get; } = new()
    {
        Type = "flow.continue",
        Category = "flow",
        Title = "Continue",
        Description = "The current iteration adds nothing to the loop's result; the loop goes on with the next item.",
        Icon = "skip-forward",
        Outputs = [],
        SettingsSchema = SettingsSchema.Object(),
    };

    public override ValueTask<NodeResult> ExecuteAsync(NodeContext context, CancellationToken cancellationToken) =>
        ValueTask.FromResult(NodeResult.Continue());

    public override void Validate(NodeDefinition node, WorkflowShape workflow, ScriptHost scripts, Action<string, string> report) =>
        LoopRules.InnermostLoop(node, workflow, report);
}
