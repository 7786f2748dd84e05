using System.Text.Json.Nodes;
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
        Description = "Answers an HTTP route. Emits the request: method, path, params (typed), query, headers, body, ip.",
        Icon = "globe",
        Inputs = [],
        IsTrigger = true,
        RawSettings = new HashSet<string>(StringComparer.Ordinal) { "path", "method", "auth", "respond", "timeoutMs", "maxBodyBytes", "rateLimit", "cors" },
        SettingsSchema = SettingsSchema.Object(
            new Setting("method", SettingsSchema.Enum("HTTP method.", "POST", Methods), Required: true),
            new Setting("path", SettingsSchema.String("Path template, e.g. /hook/{id:int}; segments {name}, {id:int}, {id:uuid}, {*rest}.", minLength: 1), Required: true),
            new Setting("auth", SettingsSchema.Enum("Who may call: anyone, an API key of the organisation with scope routes:invoke, or a member's access token.",
                HttpTriggerSettings.AuthNone, HttpTriggerSettings.AuthNone, HttpTriggerSettings.AuthApiKey, HttpTriggerSettings.AuthJwt)),
            new Setting("respond", SettingsSchema.Enum("When to answer: with what http.response sends, or at once with 202 and the execution id.",
                HttpTriggerSettings.RespondResponse, HttpTriggerSettings.RespondResponse, HttpTriggerSettings.RespondImmediately)),
            new Setting("timeoutMs", SettingsSchema.Integer("How long the caller waits for the response (504 after; the run goes on).", 1, 300_000, HttpTriggerSettings.DefaultTimeoutMs)),
            new Setting("maxBodyBytes", SettingsSchema.Integer("Largest request body accepted (413 above).", 0, int.MaxValue, HttpTriggerSettings.DefaultMaxBodyBytes)),
            new Setting("rateLimit", Described("Per-route rate limit (429 with Retry-After past it).", SettingsSchema.Object(
                new Setting("permitPerMinute", SettingsSchema.Integer("Requests allowed per minute and caller.", 1, 1_000_000), Required: true),
                new Setting("by", SettingsSchema.Enum("What a caller is: the client IP or the API key.", "ip", "ip", "apiKey"))))),
            new Setting("cors", Described("CORS: preflight OPTIONS answered 204 for allowed origins.", SettingsSchema.Object(
                new Setting("origins", SettingsSchema.Array("Allowed origins ('*' for any).", SettingsSchema.String("An origin, e.g. https://example.com.", minLength: 1)), Required: true),
                new Setting("methods", SettingsSchema.Array("Methods allowed in preflight (default: the route's).", SettingsSchema.String("A method.", minLength: 1))),
                new Setting("headers", SettingsSchema.Array("Request headers allowed in preflight.", SettingsSchema.String("A header name.", minLength: 1))))))),
    };

    private static JsonObject Described(string description, JsonObject schema)
    {
        schema["description"] = description;
        return schema;
    }

    public override ValueTask<NodeResult> ExecuteAsync(NodeContext context, CancellationToken cancellationToken) =>
        ValueTask.FromResult(NodeResult.Emit(context.RunInput));

    public override object? Prepare(NodeDefinition node, ScriptHost scripts) =>
        node.Settings?["path"]?.GetValue<string>() is { } path ? RouteTemplate.Parse(path, out _) : null;

    public override void Validate(NodeDefinition node, WorkflowShape workflow, ScriptHost scripts, Action<string, string> report)
    {
        if (node.Settings?["path"] is JsonValue value && value.TryGetValue<string>(out var path)
            && RouteTemplate.Parse(path, out var error) is null)
        {
            report("settings.path", error!);
        }
    }
}

/// <summary>An <c>http.trigger</c>'s route settings, read once (the settings are raw, never expressions), with their defaults.</summary>
public sealed record HttpTriggerSettings
{
    public const string AuthNone = "none";
    public const string AuthApiKey = "apiKey";
    public const string AuthJwt = "jwt";
    public const string RespondResponse = "response";
    public const string RespondImmediately = "immediately";
    public const int DefaultTimeoutMs = 30_000;
    public const int DefaultMaxBodyBytes = 1_048_576;

    public required string Method { get; init; }
    public required string Path { get; init; }
    public string Auth { get; init; } = AuthNone;
    public string Respond { get; init; } = RespondResponse;
    public int TimeoutMs { get; init; } = DefaultTimeoutMs;
    public long MaxBodyBytes { get; init; } = DefaultMaxBodyBytes;

    /// <summary>Requests per minute and caller, or null for no limit.</summary>
    public int? PermitPerMinute { get; init; }

    /// <summary><c>ip</c> or <c>apiKey</c>.</summary>
    public string RateLimitBy { get; init; } = "ip";

    /// <summary>Allowed origins, or null when CORS is off.</summary>
    public IReadOnlyList<string>? CorsOrigins { get; init; }
    public IReadOnlyList<string>? CorsMethods { get; init; }
    public IReadOnlyList<string>? CorsHeaders { get; init; }

    /// <summary>Reads a (validated) trigger's settings; null when method or path is missing.</summary>
    public static HttpTriggerSettings? Read(JsonObject? settings)
    {
        if (Text(settings?["method"]) is not { } method || Text(settings!["path"]) is not { } path)
        {
            return null;
        }

        var rate = settings["rateLimit"] as JsonObject;
        var cors = settings["cors"] as JsonObject;
        return new HttpTriggerSettings
        {
            Method = method.ToUpperInvariant(),
            Path = path,
            Auth = Text(settings["auth"]) ?? AuthNone,
            Respond = Text(settings["respond"]) ?? RespondResponse,
            TimeoutMs = Number(settings["timeoutMs"]) is { } timeout ? (int)timeout : DefaultTimeoutMs,
            MaxBodyBytes = Number(settings["maxBodyBytes"]) ?? DefaultMaxBodyBytes,
            PermitPerMinute = Number(rate?["permitPerMinute"]) is { } permits ? (int)permits : null,
            RateLimitBy = Text(rate?["by"]) ?? "ip",
            CorsOrigins = Texts(cors?["origins"]),
            CorsMethods = Texts(cors?["methods"]),
            CorsHeaders = Texts(cors?["headers"]),
        };
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static long? Number(JsonNode? node) => node is JsonValue value && value.TryGetValue<long>(out var number) ? number : null;

    private static string[]? Texts(JsonNode? node) => node is JsonArray array ? [.. array.Select(Text).OfType<string>()] : null;
}
