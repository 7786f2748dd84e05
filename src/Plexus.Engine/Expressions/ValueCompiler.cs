using System.Collections.Concurrent;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Plexus.Engine.Expressions;

/// <summary>
/// Classifies every string of a setting value: <c>"={{ js }}"</c> is an expression, <c>"=..."</c> and strings with
/// <c>{{ js }}</c> are templates, strings with <c>&lt;secret:X&gt;</c>/<c>&lt;env:X&gt;</c> are placeholders, the rest is literal.
/// </summary>
internal sealed partial class ValueCompiler
{
    // Beyond this many distinct sources, the cache starts over rather than grow without end.
    private const int MaxCachedPrograms = 10_000;

    // The same expression is often written in many places; its parse is shared, and so is its warm-up in each sandbox.
    private readonly ConcurrentDictionary<(string Source, bool IsBody), ScriptProgram> _programs = new();

    // Keys in paths are for people: "café" stays readable instead of becoming "caf\u00E9".
    private static readonly JsonSerializerOptions KeyQuoting = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [GeneratedRegex(@"^[A-Za-z_$][\w$]*$", RegexOptions.CultureInvariant)]
    private static partial Regex PlainName();

    public ScriptProgram ParseScript(string source, bool isBody)
    {
        if (_programs.TryGetValue((source, isBody), out var cached))
        {
            return cached;
        }
        if (_programs.Count >= MaxCachedPrograms)
        {
            _programs.Clear();
        }
        var program = isBody ? ScriptProgram.ForFunctionBody(source) : ScriptProgram.ForExpression(source);
        return _programs.GetOrAdd((source, isBody), program);
    }

    public CompiledValue Compile(JsonNode? node, string path) => node switch
    {
        JsonObject obj => CompileObject(obj, path),
        JsonArray array => CompileArray(array, path),
        JsonValue value when value.GetValueKind() == JsonValueKind.String && value.TryGetValue(out string? text) => CompileString(value, text, path),
        _ => new LiteralValue(node),
    };

    private CompiledValue CompileObject(JsonObject obj, string path)
    {
        var properties = obj.Select(property => (property.Key, Compile(property.Value, ChildPath(path, property.Key)))).ToList();
        return properties.All(property => IsUnchanged(property.Item2, obj[property.Key]))
            ? new LiteralValue(obj)
            : new ObjectValue(obj, properties);
    }

    private CompiledValue CompileArray(JsonArray array, string path)
    {
        var items = array.Select((item, index) => Compile(item, $"{path}[{index}]")).ToList();
        return items.Select((item, index) => IsUnchanged(item, array[index])).All(unchanged => unchanged)
            ? new LiteralValue(array)
            : new ArrayValue(array, items);
    }

    /// <summary>True when the child evaluates to its own node: only then can the parent be returned as it is.</summary>
    private static bool IsUnchanged(CompiledValue child, JsonNode? original) => child.IsLiteral && ReferenceEquals(child.Literal, original);

    private CompiledValue CompileString(JsonValue node, string text, string path)
    {
        if (text.StartsWith('='))
        {
            var rest = text[1..];
            if (TemplateParser.Parse(rest.Trim()) is [{ IsExpression: true } whole])
            {
                return new ExpressionValue(node, path, ParseScript(whole.Text, isBody: false));
            }
            var parts = TemplateParser.Parse(rest);
            return parts.Any(part => part.IsExpression) ? Template(node, path, parts) : new LiteralValue(JsonValue.Create(rest));
        }
        var templateParts = TemplateParser.Parse(text);
        if (templateParts.Any(part => part.IsExpression))
        {
            return Template(node, path, templateParts);
        }
        return Placeholders.Parse(text) is { } placeholders ? new PlaceholderValue(node, path, placeholders) : new LiteralValue(node);
    }

    private TemplateValue Template(JsonNode node, string path, List<TemplatePart> parts) =>
        new(node, path, parts.Select(part => part.IsExpression ? ((string?)null, ParseScript(part.Text, isBody: false)) : (part.Text, null)).ToList());

    private static string ChildPath(string path, string name)
    {
        var step = PlainName().IsMatch(name) ? name : $"[{JsonSerializer.Serialize(name, KeyQuoting)}]";
        return path.Length == 0 || step.StartsWith('[') ? path + step : $"{path}.{step}";
    }
}
