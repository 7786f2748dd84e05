using Plexus.Engine.Nodes;

namespace Plexus.Nodes.Flow;

/// <summary>Suspends its branch for a duration, or until resumed (an approval, a callback); a resume payload becomes its output.</summary>
public sealed class Wait : NodeType
{
    public override NodeTypeInfo Info { get; } = new()
    {
        Type = "flow.wait",
        Category = "flow",
        Title = "Wait",
        Description = "Suspends this branch: for durationMs (mode 'duration', then passes its input on), or until resumed (mode 'resume', then outputs the resume payload).",
        Icon = "hourglass",
        SettingsSchema = SettingsSchema.Object(
            new Setting("mode", SettingsSchema.Enum("'duration' or 'resume'.", "duration", "duration", "resume"), Required: true),
            new Setting("durationMs", SettingsSchema.Integer("How long to wait in 'duration' mode.", 0, int.MaxValue))),
    };

    public override ValueTask<NodeResult> ExecuteAsync(NodeContext context, CancellationToken cancellationToken)
    {
        var resume = context.Settings.GetString("mode") == "resume";
        if (context.IsResumed)
        {
            return ValueTask.FromResult(NodeResult.Emit(resume ? context.ResumePayload : context.Input));
        }

        if (resume)
        {
            return ValueTask.FromResult(NodeResult.Suspend(new WaitRequest(null)));
        }

        if (context.Settings.GetInt("durationMs") is not { } duration || duration < 0)
        {
            return ValueTask.FromResult(NodeResult.Fail("settings.durationMs: a duration wait needs durationMs >= 0", "settings"));
        }

        return ValueTask.FromResult(duration == 0
            ? NodeResult.Emit(context.Input)
            : NodeResult.Suspend(new WaitRequest(context.Services.Time.GetUtcNow().AddMilliseconds(duration))));
    }
}
