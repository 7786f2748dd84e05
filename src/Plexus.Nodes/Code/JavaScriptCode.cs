using Plexus.Engine.Expressions;
using Plexus.Engine.Nodes;
using Plexus.Engine.Workflows;

namespace Plexus.Nodes.Code;

/// <summary>Runs a JavaScript function body in the sandbox; what it returns is the output.</summary>
public sealed class JavaScriptCode : NodeType
{
    public override NodeTypeInfo Info { get; } = new()
    {
        Type = "code.js",
        Category = "code",
        Title = "JavaScript",
        Description = "Runs a JavaScript function body that sees input, trigger, nodes, env, execution, loop and secret(name), and returns the output. console.log lines are kept with the node run.",
        Icon = "code",
        RawSettings = new HashSet<string>(StringComparer.Ordinal) { "source" },
        SettingsSchema = SettingsSchema.Object(
            new Setting("source", SettingsSchema.String("Function body; `return` gives the output.", minLength: 1, format: "javascript"), Required: true)),
    };

    public override object? Prepare(NodeDefinition node, ScriptHost scripts) =>
        node.Settings?["source"] is System.Text.Json.Nodes.JsonValue value && value.TryGetValue<string>(out var source)
            ? scripts.CompileCode(source)
            : null;

    public override void Validate(NodeDefinition node, WorkflowShape workflow, ScriptHost scripts, Action<string, string> report)
    {
        if (Prepare(node, scripts) is CompiledCode code)
        {
            foreach (var problem in code.Problems)
            {
                report("settings.source", $"syntax error: {problem.Error}");
            }
        }
    }

    public override ValueTask<NodeResult> ExecuteAsync(NodeContext context, CancellationToken cancellationToken)
    {
        if (context.Prepared is not CompiledCode code)
        {
            return ValueTask.FromResult(NodeResult.Fail("settings.source: no code to run", "settings"));
        }

        var outcome = context.Services.Scripts.RunCode(code, context.Scope, context.Logs, cancellationToken);
        return ValueTask.FromResult(outcome.Error is { } error
            ? NodeResult.Fail(error.Message, error.Kind == "limit" ? "limit" : "code")
            : NodeResult.Emit(outcome.Value));
    }
}
