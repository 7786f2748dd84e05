using Plexus.Engine.Nodes;

namespace Plexus.Nodes.Flow;

/// <summary>Runs a blueprint (a reusable sub-workflow) by name and outputs its result.</summary>
public sealed class Call : NodeType
{
    public override NodeTypeInfo Info { get; } = new()
    {
        Type = "flow.call",
        Category = "flow",
        Title = "Call blueprint",
        Description = "Runs a blueprint workflow by name with the given input (default: this node's input) and outputs its result.",
        Icon = "box-select",
        SettingsSchema = SettingsSchema.Object(
            new Setting("workflow", SettingsSchema.String("Name of the blueprint to run.", minLength: 1), Required: true),
            new Setting("input", SettingsSchema.Any("Input for the blueprint; default: this node's input."))),
    };

    public override async ValueTask<NodeResult> ExecuteAsync(NodeContext context, CancellationToken cancellationToken)
    {
        var name = context.Settings.GetString("workflow")!;
        if (context.Services.Blueprints is not { } blueprints)
        {
            return NodeResult.Fail($"blueprint '{name}' cannot be called here: this host runs no blueprints", "call");
        }

        var input = context.Settings.Has("input") ? context.Settings.Get("input") : context.Input;
        var outcome = await blueprints.RunAsync(name, input, new BlueprintCall(context.Execution, context.Redactor), cancellationToken).ConfigureAwait(false);
        return outcome.Error is { } error ? NodeResult.Fail(error, "call") : NodeResult.Emit(outcome.Result);
    }
}
