using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Plexus.Engine.Json;
using Plexus.Engine.Nodes;
using Plexus.Engine.Validation;
using Plexus.Engine.Workflows;

namespace Plexus.Nodes.Http;

/// <summary>
/// The <c>cookies</c> setting of <c>http.response</c>: a map of name → value or <c>{ value, path, domain, maxAge, expires,
/// httpOnly, secure, sameSite }</c>. The same rules run when a workflow is validated (on literal values) and when the node
/// runs (on evaluated ones), so a cookie a browser would drop or a header it could not parse is refused either way.
/// </summary>
internal static class ResponseCookies
{
    private const string SettingPath = "settings.cookies";

    private static readonly string[] SameSiteValues = ["strict", "lax", "none"];

    /// <summary>The one the rules check against; node infos get their own copy, as a JSON node has one parent.</summary>
    private static readonly JsonObject CheckedSchema = Schema();

    public static JsonObject Schema() => new()
    {
        ["type"] = "object",
        ["description"] = "Cookies to set (Set-Cookie): name → value, or name → { value, path, domain, maxAge, expires, httpOnly, secure, sameSite }.",
        ["additionalProperties"] = Cookie(),
    };

    /// <summary>A value, or the value with its attributes (object keywords apply to the object form only, as in JSON Schema).</summary>
    private static JsonObject Cookie()
    {
        var schema = SettingsSchema.Object(
            new Setting("value", SettingsSchema.String("The cookie's value: letters, digits and !#$%&'()*+-./:<=>?@[]^_`{|}~ (encodeURIComponent anything else)."), Required: true),
            new Setting("path", SettingsSchema.String("Path the browser sends it on, e.g. /.", minLength: 1)),
            new Setting("domain", SettingsSchema.String("Domain the browser sends it to (default: this host only).", minLength: 1)),
            new Setting("maxAge", SettingsSchema.Integer("Lifetime in seconds; 0 deletes the cookie.", 0, int.MaxValue)),
            new Setting("expires", SettingsSchema.String("Expiry as a date and time, e.g. 2030-01-01T00:00:00Z.", minLength: 1)),
            new Setting("httpOnly", SettingsSchema.Boolean("Hidden from JavaScript in the page.")),
            new Setting("secure", SettingsSchema.Boolean("Sent over HTTPS only.")),
            new Setting("sameSite", SettingsSchema.Enum("Cross-site sending: strict, lax or none (none needs secure).", "lax", SameSiteValues)));
        schema["type"] = new JsonArray("string", "object");
        schema["description"] = "The value, or { value, path, domain, maxAge, expires, httpOnly, secure, sameSite }.";
        return schema;
    }

    /// <summary>
    /// Reads the cookies and adds a problem (paths from <c>settings.cookies</c>) for each broken rule. With <paramref name="literal"/>,
    /// values that are expressions are left for the run, and shape problems for the schema check, which reports them already.
    /// </summary>
    public static List<ResponseCookie> Read(JsonNode? setting, bool literal, List<Problem> problems)
    {
        var cookies = new List<ResponseCookie>();
        if (setting is null)
        {
            return cookies;
        }

        var shape = new List<Problem>();
        SchemaCheck.Check(setting, CheckedSchema, SettingPath, expressionsAllowed: literal, shape);
        if (shape.Count > 0 || setting is not JsonObject map)
        {
            if (!literal)
            {
                problems.AddRange(shape);
            }

            return cookies;
        }

        foreach (var (name, given) in map)
        {
            var path = JsonPaths.Child(SettingPath, name);
            if (ReadOne(name, given, path, literal, problems) is { } cookie)
            {
                cookies.Add(cookie);
            }
        }

        return cookies;
    }

    private static ResponseCookie? ReadOne(string name, JsonNode? given, string path, bool literal, List<Problem> problems)
    {
        var before = problems.Count;
        if (!IsToken(name))
        {
            problems.Add(new(path, "a cookie name is letters, digits and !#$%&'*+-.^_`|~ only"));
        }

        var spec = given as JsonObject;
        var value = Text(spec is null ? given : spec["value"], literal);
        if (value is not null && !value.All(IsCookieOctet))
        {
            problems.Add(new(spec is null ? path : JsonPaths.Child(path, "value"),
                "may not hold spaces, quotes, commas, semicolons, backslashes or non-ASCII characters; encode it (encodeURIComponent)"));
        }

        if (spec is null)
        {
            return problems.Count == before && value is not null ? new ResponseCookie(name, value) : null;
        }

        var cookiePath = Attribute(spec, "path", path, literal, problems);
        var domain = Attribute(spec, "domain", path, literal, problems);
        DateTimeOffset? expires = null;
        if (Text(spec["expires"], literal) is { } expiresText)
        {
            if (DateTimeOffset.TryParse(expiresText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                expires = parsed;
            }
            else
            {
                problems.Add(new(JsonPaths.Child(path, "expires"), $"must be a date and time such as 2030-01-01T00:00:00Z, not '{expiresText}'"));
            }
        }

        var secure = Flag(spec["secure"]);
        var sameSite = Text(spec["sameSite"], literal);
        if (sameSite == "none" && secure == false)
        {
            problems.Add(new(JsonPaths.Child(path, "sameSite"), "'none' needs secure: true (browsers drop the cookie otherwise)"));
        }

        // Browsers enforce the RFC 6265bis name prefixes and drop offending cookies without a word; say so here instead.
        if (name.StartsWith("__Secure-", StringComparison.Ordinal) || name.StartsWith("__Host-", StringComparison.Ordinal))
        {
            if (secure == false)
            {
                problems.Add(new(path, $"a cookie named {name[..(name.IndexOf('-', StringComparison.Ordinal) + 1)]}... needs secure: true"));
            }

            var pathUnknown = literal && SchemaCheck.IsDynamic(spec["path"]);
            if (name.StartsWith("__Host-", StringComparison.Ordinal) && (spec.ContainsKey("domain") || (!pathUnknown && cookiePath != "/")))
            {
                problems.Add(new(path, "a cookie named __Host-... needs path \"/\" and no domain"));
            }
        }

        if (problems.Count > before || value is null)
        {
            return null;
        }

        return new ResponseCookie(name, value, cookiePath, domain, Number(spec["maxAge"]), expires, Flag(spec["httpOnly"]) ?? false, secure ?? false,
            sameSite is null ? null : char.ToUpperInvariant(sameSite[0]) + sameSite[1..]);
    }

    /// <summary>A path or domain: written into the header as it is, so no separator or control character.</summary>
    private static string? Attribute(JsonObject spec, string property, string path, bool literal, List<Problem> problems)
    {
        var text = Text(spec[property], literal);
        if (text is not null && text.Any(c => c is ';' or < ' ' or > '~'))
        {
            problems.Add(new(JsonPaths.Child(path, property), "may not hold semicolons, control or non-ASCII characters"));
        }

        return text;
    }

    /// <summary>A string, or null when absent or (when checking literals) an expression.</summary>
    private static string? Text(JsonNode? node, bool literal) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String && !(literal && SchemaCheck.IsDynamic(node)) ? v.GetValue<string>() : null;

    /// <summary>True or false (absent is false); null for an expression, known only when the node runs.</summary>
    private static bool? Flag(JsonNode? node) => node switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.True => true,
        null => false,
        JsonValue v when v.GetValueKind() == JsonValueKind.False => false,
        _ => null,
    };

    private static long? Number(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? (long)JsonValues.ToDouble(v) : null;

    private static bool IsToken(string name) => name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal));

    /// <summary>RFC 6265 cookie-octet: visible ASCII except DQUOTE, comma, semicolon and backslash.</summary>
    private static bool IsCookieOctet(char c) => c is > ' ' and <= '~' and not '"' and not ',' and not ';' and not '\\';
}
