using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Plexus.Engine.Json;
using Plexus.Engine.Nodes;

namespace Plexus.Nodes.Http;

/// <summary>Calls an HTTP endpoint; outputs <c>{ status, headers, body }</c>. A non-2xx status fails unless ignored.</summary>
public sealed class HttpRequest : NodeType
{
    public override NodeTypeInfo Info { get; } = new()
    {
        Type = "http.request",
        Category = "http",
        Title = "HTTP request",
        Description = "Sends an HTTP request and outputs { status, headers, body } (JSON bodies parsed). A non-2xx status fails the node unless ignoreStatus is set.",
        Icon = "send",
        SettingsSchema = SettingsSchema.Object(
            new Setting("method", SettingsSchema.Enum("HTTP method.", "GET", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")),
            new Setting("url", SettingsSchema.String("Absolute http(s) URL.", minLength: 1), Required: true),
            new Setting("headers", SettingsSchema.Map("Request headers.")),
            new Setting("query", SettingsSchema.Map("Query parameters added to the URL.")),
            new Setting("body", SettingsSchema.Any("Request body: JSON, or a string sent as text.")),
            new Setting("timeoutMs", SettingsSchema.Integer("Request timeout.", 1, 600_000, 30_000)),
            new Setting("ignoreStatus", SettingsSchema.Boolean("Do not fail on a non-2xx status."))),
    };

    public override async ValueTask<NodeResult> ExecuteAsync(NodeContext context, CancellationToken cancellationToken)
    {
        var settings = context.Settings;
        var url = settings.GetString("url") ?? "";
        if (!Uri.TryCreate(AddQuery(url, settings.Get("query") as JsonObject), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return NodeResult.Fail($"settings.url: '{url}' is not an absolute http(s) URL", "settings");
        }

        var method = new HttpMethod(settings.GetString("method") ?? "GET");
        using var request = new HttpRequestMessage(method, uri);
        if (settings.Get("body") is { } body)
        {
            request.Content = body is JsonValue v && v.GetValueKind() == JsonValueKind.String
                ? new StringContent(v.GetValue<string>(), Encoding.UTF8, "text/plain")
                : new StringContent(JsonValues.ToCompactString(body), Encoding.UTF8, "application/json");
        }

        if (settings.Get("headers") is JsonObject headers)
        {
            foreach (var (name, value) in headers)
            {
                var text = value is JsonValue hv && hv.TryGetValue<string>(out var s) ? s : JsonValues.ToCompactString(value);
                if (!request.Headers.TryAddWithoutValidation(name, text))
                {
                    request.Content?.Headers.Remove(name);
                    request.Content?.Headers.TryAddWithoutValidation(name, text);
                }
            }
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(settings.GetInt("timeoutMs") ?? 30_000), context.Services.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var response = await context.Services.Http.SendAsync(request, linked.Token).ConfigureAwait(false);
            var output = new JsonObject
            {
                ["status"] = (int)response.StatusCode,
                ["headers"] = HeadersOf(response),
                ["body"] = await ReadBodyAsync(response, linked.Token).ConfigureAwait(false),
            };
            if (!response.IsSuccessStatusCode && settings.GetBool("ignoreStatus") != true)
            {
                return NodeResult.Fail($"HTTP {(int)response.StatusCode} {response.ReasonPhrase} from {method} {uri.GetLeftPart(UriPartial.Path)}", "http");
            }

            return NodeResult.Emit(output);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return NodeResult.Fail($"{method} {uri.GetLeftPart(UriPartial.Path)} timed out", "timeout");
        }
        catch (HttpRequestException e)
        {
            return NodeResult.Fail($"{method} {uri.GetLeftPart(UriPartial.Path)} failed: {e.Message}", "http");
        }
    }

    private static string AddQuery(string url, JsonObject? query)
    {
        if (query is null || query.Count == 0)
        {
            return url;
        }

        var pairs = query.Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value is JsonValue v && v.TryGetValue<string>(out var s) ? s : JsonValues.ToCompactString(q.Value))}");
        return url + (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + string.Join('&', pairs);
    }

    private static JsonObject HeadersOf(HttpResponseMessage response)
    {
        var headers = new JsonObject();
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            headers[name.ToLowerInvariant()] = string.Join(", ", values);
        }

        return headers;
    }

    private static async Task<JsonNode?> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (text.Length == 0)
        {
            return null;
        }

        if (response.Content.Headers.ContentType is MediaTypeHeaderValue { MediaType: { } type } && type.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                return JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                return text;
            }
        }

        return text;
    }
}
