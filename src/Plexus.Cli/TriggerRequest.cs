using System.Text.Json.Nodes;
using Plexus.Engine.Execution;
using Plexus.Engine.Routing;
using Plexus.Nodes.Triggers;

namespace Plexus.Cli;

/// <summary>
/// <c>--request "POST /hook/42?x=1"</c>: finds the <c>http.trigger</c> whose method and route match and builds
/// the request it would have received: <c>{ method, path, params, query, headers, body }</c>.
/// </summary>
internal static class TriggerRequest
{
    public const string TriggerType = "http.trigger";

    /// <summary>The matching trigger's id and its input, or null with an error added to <paramref name="arguments"/>.</summary>
    public static (string TriggerId, JsonObject Input)? Build(ExecutionPlan plan, string requestLine, IReadOnlyList<string> headers,
        string? body, Arguments arguments)
    {
        var parts = requestLine.Trim().Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2)
        {
            arguments.Error($"--request: expected \"METHOD /path?query\", like \"POST /hook/42\", not \"{requestLine}\"");
            return null;
        }

        var method = parts[0].ToUpperInvariant();
        if (!HttpTrigger.Methods.Contains(method))
        {
            arguments.Error($"--request: unknown method '{parts[0]}'; use one of {string.Join(", ", HttpTrigger.Methods)}");
            return null;
        }

        var target = parts[1].Trim();
        if (Uri.TryCreate(target, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https")
        {
            target = absolute.PathAndQuery;
        }

        if (!target.StartsWith('/'))
        {
            arguments.Error($"--request: the path must start with '/', like \"POST /hook/42\", not \"{parts[1]}\"");
            return null;
        }

        var question = target.IndexOf('?', StringComparison.Ordinal);
        var path = question < 0 ? target : target[..question];
        var query = question < 0 ? "" : target[(question + 1)..];

        var headerValues = ReadHeaders(headers, arguments);
        var bodyValue = ReadBody(body, arguments);
        if (arguments.Failed)
        {
            return null;
        }

        var routes = Routes(plan);
        // The same table and precedence as the server's router: literal, typed, {name}, catch-all.
        var table = RouteTable.Build(routes.Select(r => new RouteEntry<Route>(r.Method, r.Template, r)), out _);
        var match = table.Match(method, path);
        if (match.Kind != RouteMatchKind.Found)
        {
            var known = routes.Count == 0
                ? "this workflow has no http.trigger"
                : "routes: " + string.Join(", ", routes.Select(r => $"{r.Method} {r.Template.Text} ({r.NodeId})"));
            arguments.Error($"--request: no http.trigger matches {method} {path}; {known}");
            return null;
        }

        var input = new JsonObject
        {
            ["method"] = method,
            ["path"] = path,
            ["params"] = match.Parameters(),
            ["query"] = ReadQuery(query),
            ["headers"] = headerValues,
            ["body"] = bodyValue,
        };
        return (match.Entry!.Target.NodeId, input);
    }

    /// <summary>The routes a workflow answers, as "METHOD /template" with the trigger node's id.</summary>
    public static IReadOnlyList<Route> Routes(ExecutionPlan plan)
    {
        var routes = new List<Route>();
        foreach (var node in plan.Document.Nodes.Where(n => n.Type == TriggerType))
        {
            if (node.Settings?["method"]?.GetValue<string>() is { } method && node.Settings["path"]?.GetValue<string>() is { } path
                && RouteTemplate.Parse(path, out _) is { } template)
            {
                routes.Add(new Route(node.Id, method.ToUpperInvariant(), template));
            }
        }

        return routes;
    }

    private static JsonObject ReadHeaders(IReadOnlyList<string> headers, Arguments arguments)
    {
        var values = new JsonObject();
        foreach (var header in headers)
        {
            var colon = header.IndexOf(':', StringComparison.Ordinal);
            var name = colon < 0 ? "" : header[..colon].Trim().ToLowerInvariant();
            if (name.Length == 0)
            {
                arguments.Error($"--header: expected \"Name: value\", not \"{header}\"");
                continue;
            }

            var value = header[(colon + 1)..].Trim();
            values[name] = values[name] is { } earlier ? $"{earlier.GetValue<string>()}, {value}" : value;
        }

        return values;
    }

    /// <summary>The body as JSON when it is JSON, else as a string; null when none was given.</summary>
    private static JsonNode? ReadBody(string? body, Arguments arguments)
    {
        if (body is null || arguments.Text("--body", body) is not { } text)
        {
            return null;
        }

        return text.Trim().Length > 0 && Arguments.TryParse(text, out var json, out _) ? json : JsonValue.Create(text);
    }

    private static JsonObject ReadQuery(string query)
    {
        var values = new JsonObject();
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Decode(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? "" : Decode(pair[(equals + 1)..]);
            // A repeated key keeps every value, comma-separated (as ASP.NET Core shows it).
            values[name] = values[name] is { } earlier ? $"{earlier.GetValue<string>()},{value}" : value;
        }

        return values;
    }

    private static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));

    internal sealed record Route(string NodeId, string Method, RouteTemplate Template);
}
