using System.Text.Json.Nodes;
using Plexus.Engine.Expressions;
using Plexus.Engine.Nodes;
using Plexus.Engine.Workflows;

namespace Plexus.Nodes.Flow;

/// <summary>Sends control back to an upstream node (retry-until loops), at most <c>max</c> times; one more fails.</summary>
public sealed class Jump : NodeType
{
    public override NodeTypeInfo Info { get; } = new()
    {
        Type = "flow.jump",
        Category = "flow",
        Title = "Jump back",
        Description = "Runs an upstream node again with this node's input, at most 'max' times per run (per loop iteration); one jump more fails.",
        Icon = "undo",
        Outputs = [],
        RawSettings = new HashSet<string>(StringComparer.Ordinal) { "target" },
        SettingsSchema = SettingsSchema.Object(
            new Setting("target", SettingsSchema.String("Id of an upstream node to run again.", minLength: 1), Required: true),
            new Setting("max", SettingsSchema.Integer("Most jumps allowed.", 1, 100_000, 10), Required: true)),
    };

    public override ValueTask<NodeResult> ExecuteAsync(NodeContext context, CancellationToken cancellationToken) =>
        ValueTask.FromResult(NodeResult.Jump(
            new JumpRequest(context.Settings.GetString("target")!, context.Settings.GetInt("max") ?? 10), context.Input));

    public override void Validate(NodeDefinition node, WorkflowShape workflow, ScriptHost scripts, Action<string, string> report)
    {
        if (node.Settings?["target"] is not JsonValue value || !value.TryGetValue<string>(out var target)
            || !workflow.TryGetIndex(node.Id, out var self))
        {
            return;
        }

        if (!workflow.TryGetIndex(target, out var index))
        {
            report("settings.target", $"names node '{target}', which does not exist");
        }
        else if (!workflow.IsAncestor(index, self))
        {
            report("settings.target", $"'{target}' must be upstream of '{node.Id}'");
        }
        else if (workflow.InnermostLoop(index) != workflow.InnermostLoop(self))
        {
            report("settings.target", $"'{target}' must be in the same loop body as '{node.Id}'");
        }
    }
}
