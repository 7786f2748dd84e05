using Plexus.Engine.Expressions;
using Plexus.Engine.Nodes;
using Plexus.Engine.Routing;
using Plexus.Engine.Workflows;

namespace Plexus.Nodes.Triggers;

/// <summary>Starts a run when an HTTP request matches its method and path; emits the request.</summary>
public sealed class HttpTrigger : NodeType
{
    public static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

    public override NodeTypeInfo Info { get; } = new()
    {
        Type = "http.trigger",
        Category = "trigger",
        Title = "HTTP trigger",
        Description = "Answers an HTTP route. Emits the request: method, path, params (typed), query, headers, body.",
        Icon = "globe",
        Inputs = [],
        IsTrigger = true,
        RawSettings = new HashSet<string>(StringComparer.Ordinal) { "path", "method" },
        SettingsSchema = SettingsSchema.Object(
            new Setting("method", SettingsSchema.Enum("HTTP method.", "POST", Methods), Required: true),
            new Setting("path", SettingsSchema.String("Path template, e.g. /hook/{id:int}; segments {name}, {id:int}, {id:uuid}, {*rest}.", minLength: 1), Required: true)),
    };

    public override ValueTask<NodeResult> ExecuteAsync(NodeContext context, CancellationToken cancellationToken) =>
        ValueTask.FromResult(NodeResult.Emit(context.RunInput));

    public override object? Prepare(NodeDefinition node, ScriptHost scripts) =>
        node.Settings?["path"]?.GetValue<string>() is { } path ? RouteTemplate.Parse(path, out _) : null;

    public override void Validate(NodeDefinition node, WorkflowShape workflow, ScriptHost scripts, Action<string, string> report)
    {
        if (node.Settings?["path"] is System.Text.Json.Nodes.JsonValue value && value.TryGetValue<string>(out var path)
            && RouteTemplate.Parse(path, out var error) is null)
        {
            report("settings.path", error!);
        }
    }
}
