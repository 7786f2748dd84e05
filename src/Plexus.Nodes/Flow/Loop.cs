using System.Text.Json.Nodes;
using Plexus.Engine.Nodes;

namespace Plexus.Nodes.Flow;

/// <summary>Emits each item of a list into its body on <c>item</c>; after the last, <c>done</c> fires with what <c>flow.loopEnd</c> collected.</summary>
public sealed class Loop : NodeType
{
    public override NodeTypeInfo Info { get; } = new()
    {
        Type = "flow.loop",
        Category = "flow",
        Title = "Loop",
        Description = "Runs its body (the nodes after 'item') once per item; 'done' fires with the values collected by flow.loopEnd, in item order. In the body, loop.item and loop.index are set.",
        Icon = "repeat",
        Outputs = ["item", "done"],
        SettingsSchema = SettingsSchema.Object(
            new Setting("items", SettingsSchema.Any("The list to loop over, usually an expression."), Required: true),
            new Setting("concurrency", SettingsSchema.Integer("How many iterations may run at once.", 1, 64, 1))),
    };

    public override ValueTask<NodeResult> ExecuteAsync(NodeContext context, CancellationToken cancellationToken)
    {
        if (context.Settings.Get("items") is not JsonArray items)
        {
            var kind = context.Settings.Get("items")?.GetValueKind().ToString().ToLowerInvariant() ?? "null";
            return ValueTask.FromResult(NodeResult.Fail($"settings.items: must be an array, not {kind}", "settings"));
        }

        return ValueTask.FromResult(NodeResult.StartLoop(new LoopRequest(items, context.Settings.GetInt("concurrency") ?? 1)));
    }
}
