using System.Text.Json.Nodes;
using Plexus.Engine.Json;
using Plexus.Engine.Nodes;

namespace Plexus.Nodes.Http;

/// <summary>Sends the run's HTTP answer. The first response of a run wins; later ones are recorded but not sent.</summary>
public sealed class HttpResponse : NodeType
{
    public override NodeTypeInfo Info { get; } = new()
    {
        Type = "http.response",
        Category = "http",
        Title = "HTTP response",
        Description = "Sends the HTTP answer of the run: status, headers and body. The first response wins.",
        Icon = "reply",
        SettingsSchema = SettingsSchema.Object(
            new Setting("status", SettingsSchema.Integer("HTTP status code.", 100, 599, 200)),
            new Setting("headers", SettingsSchema.Map("Response headers.")),
            new Setting("body", SettingsSchema.Any("Response body: JSON, or a string sent as text."))),
    };

    public override ValueTask<NodeResult> ExecuteAsync(NodeContext context, CancellationToken cancellationToken)
    {
        var status = context.Settings.GetInt("status") ?? 200;
        if (status is < 100 or > 599)
        {
            return ValueTask.FromResult(NodeResult.Fail($"settings.status: must be 100..599, not {status}", "settings"));
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (context.Settings.Get("headers") is JsonObject given)
        {
            foreach (var (name, value) in given)
            {
                headers[name] = value is JsonValue v && v.TryGetValue<string>(out var text) ? text : JsonValues.ToCompactString(value);
            }
        }

        var body = context.Settings.Get("body");
        var output = new JsonObject
        {
            ["status"] = status,
            ["headers"] = new JsonObject([.. headers.Select(h => KeyValuePair.Create(h.Key, (JsonNode?)h.Value))]),
            ["body"] = JsonValues.Detach(body),
        };
        return ValueTask.FromResult(NodeResult.Respond(new HttpResponseData(status, headers, body), output));
    }
}
