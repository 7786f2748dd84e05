using System.Text.Json;
using System.Text.Json.Nodes;
using Plexus.Engine.Expressions;
using Plexus.Engine.Json;
using Plexus.Engine.Nodes;
using Plexus.Engine.Validation;
using Plexus.Engine.Workflows;

namespace Plexus.Nodes.Http;

/// <summary>Sends the run's HTTP answer. The first response of a run wins; later ones are recorded but not sent.</summary>
public sealed class HttpResponse : NodeType
{
    public const string EncodingAuto = "auto";
    public const string EncodingBase64 = "base64";
    private const string OctetStream = "application/octet-stream";
    private const string BinaryForms = "with bodyEncoding base64, must be base64 text or { \"contentType\"?: string, \"base64\": string }";

    public override NodeTypeInfo Info { get; } = new()
    {
        Type = "http.response",
        Category = "http",
        Title = "HTTP response",
        Description = "Sends the HTTP answer of the run: status, headers, cookies and body (JSON, text or binary). The first response wins.",
        Icon = "reply",
        SettingsSchema = SettingsSchema.Object(
            new Setting("status", SettingsSchema.Integer("HTTP status code.", 100, 599, 200)),
            new Setting("headers", SettingsSchema.Map("Response headers.")),
            new Setting("cookies", ResponseCookies.Schema()),
            new Setting("body", SettingsSchema.Any("Response body: JSON, or a string sent as text; with bodyEncoding base64, base64 text or { contentType, base64 }.")),
            new Setting("bodyEncoding", SettingsSchema.Enum(
                "auto: a string is sent as text, anything else as JSON; base64: the body is binary, given as base64 text or as { contentType, base64 } (the form of a binary request body), and sent as raw bytes.",
                EncodingAuto, EncodingAuto, EncodingBase64))),
    };

    public override void Validate(NodeDefinition node, WorkflowShape workflow, ScriptHost scripts, Action<string, string> report)
    {
        ArgumentNullException.ThrowIfNull(node);
        var problems = new List<Problem>();
        ResponseCookies.Read(node.Settings?["cookies"], literal: true, problems);
        foreach (var problem in problems)
        {
            report(problem.Path, problem.Message);
        }

        // A literal binary body is checked now; one made by expressions when the node runs.
        if (node.Settings is { } settings && settings["bodyEncoding"] is JsonValue encoding && encoding.TryGetValue<string>(out var name)
            && name == EncodingBase64 && settings["body"] is { } body && !HasExpressions(body)
            && Binary(body, out _, out _) is { } error)
        {
            report("settings.body", error);
        }
    }

    private static bool HasExpressions(JsonNode body) => body switch
    {
        JsonObject form => form.Any(p => p.Value is not null && HasExpressions(p.Value)),
        _ => SchemaCheck.IsDynamic(body),
    };

    public override ValueTask<NodeResult> ExecuteAsync(NodeContext context, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Respond(context.Settings));

    private static NodeResult Respond(NodeSettings settings)
    {
        var status = settings.GetInt("status") ?? 200;
        if (status is < 100 or > 599)
        {
            return NodeResult.Fail($"settings.status: must be 100..599, not {status}", "settings");
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (settings.Get("headers") is JsonObject given)
        {
            foreach (var (name, value) in given)
            {
                headers[name] = value is JsonValue v && v.TryGetValue<string>(out var text) ? text : JsonValues.ToCompactString(value);
            }
        }

        var problems = new List<Problem>();
        var cookiesSetting = settings.Get("cookies");
        var cookies = ResponseCookies.Read(cookiesSetting, literal: false, problems);
        if (problems.Count > 0)
        {
            return NodeResult.Fail(string.Join("; ", problems), "settings");
        }

        var encoding = settings.GetString("bodyEncoding") ?? EncodingAuto;
        if (encoding is not (EncodingAuto or EncodingBase64))
        {
            return NodeResult.Fail($"settings.bodyEncoding: must be \"{EncodingAuto}\" or \"{EncodingBase64}\", not '{encoding}'", "settings");
        }

        var body = settings.Get("body");
        byte[]? bytes = null;
        if (encoding == EncodingBase64 && body is not null)
        {
            if (Binary(body, out bytes, out var bodyType) is { } error)
            {
                return NodeResult.Fail($"settings.body: {error}", "settings");
            }

            // An explicit content-type header wins over the one the body carries, as it does for JSON and text.
            var contentType = headers.TryGetValue("content-type", out var header) ? header : bodyType ?? OctetStream;
            headers["content-type"] = contentType;
            body = new JsonObject { ["contentType"] = contentType, ["base64"] = Convert.ToBase64String(bytes!) };
        }

        var output = new JsonObject
        {
            ["status"] = status,
            ["headers"] = new JsonObject([.. headers.Select(h => KeyValuePair.Create(h.Key, (JsonNode?)h.Value))]),
            ["body"] = JsonValues.Detach(body),
        };
        if (cookiesSetting is not null)
        {
            output["cookies"] = JsonValues.Detach(cookiesSetting);
        }

        return NodeResult.Respond(new HttpResponseData(status, headers, body) { Cookies = cookies, Bytes = bytes }, output);
    }

    /// <summary>Decodes a base64 body: a string, or <c>{ contentType?, base64 }</c>. Returns why it cannot, or null.</summary>
    private static string? Binary(JsonNode body, out byte[]? bytes, out string? contentType)
    {
        bytes = null;
        contentType = null;
        string? text;
        if (body is JsonObject form)
        {
            text = form["base64"] is JsonValue b && b.GetValueKind() == JsonValueKind.String ? b.GetValue<string>() : null;
            contentType = form["contentType"] is JsonValue t && t.GetValueKind() == JsonValueKind.String ? t.GetValue<string>() : null;
            if (text is null || form.Any(p => p.Key is not ("base64" or "contentType")) || (form.ContainsKey("contentType") && contentType is null))
            {
                return BinaryForms;
            }
        }
        else if (body is JsonValue v && v.GetValueKind() == JsonValueKind.String)
        {
            text = v.GetValue<string>();
        }
        else
        {
            return BinaryForms;
        }

        var buffer = new byte[text.Length / 4 * 3 + 3];
        if (!Convert.TryFromBase64String(text, buffer, out var written))
        {
            return "is not valid base64";
        }

        bytes = buffer[..written];
        return null;
    }
}
