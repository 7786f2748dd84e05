using System.Text.Json.Nodes;
using Plexus.Engine.Expressions;
using Plexus.Engine.Nodes;
using Plexus.Engine.Workflows;

namespace Plexus.Nodes.Flow;

/// <summary>Collects a value for the current iteration of its loop.</summary>
public sealed class LoopEnd : NodeType
{
    public override NodeTypeInfo Info { get; } = new()
    {
        Type = "flow.loopEnd",
        Category = "flow",
        Title = "Loop end",
        Description = "Collects a value (default: its input) for the current iteration; the loop's 'done' gets the collected values in item order.",
        Icon = "corner-down-left",
        Outputs = [],
        SettingsSchema = SettingsSchema.Object(
            new Setting("loop", SettingsSchema.String("Id of the flow.loop this ends (default: the innermost one).", minLength: 1)),
            new Setting("value", SettingsSchema.Any("The value to collect; default: the input."))),
    };

    public override ValueTask<NodeResult> ExecuteAsync(NodeContext context, CancellationToken cancellationToken) =>
        ValueTask.FromResult(NodeResult.Collect(context.Settings.Has("value") ? context.Settings.Get("value") : context.Input));

    public override void Validate(NodeDefinition node, WorkflowShape workflow, ScriptHost scripts, Action<string, string> report)
    {
        var innermost = LoopRules.InnermostLoop(node, workflow, report);
        if (innermost is not null && node.Settings?["loop"] is JsonValue named && named.TryGetValue<string>(out var loop) && loop != innermost)
        {
            report("settings.loop", $"names '{loop}', but this node is in the body of loop '{innermost}'");
        }
    }
}
