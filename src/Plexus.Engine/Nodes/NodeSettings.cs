using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Plexus.Engine.Json;

namespace Plexus.Engine.Nodes;

/// <summary>
/// A node's settings as this activation sees them: expressions evaluated, literals as written.
/// Values may belong to the document; treat them as read-only and <see cref="JsonValues.Detach"/> before attaching elsewhere.
/// </summary>
public sealed class NodeSettings
{
    private readonly JsonObject? _literal;
    private readonly Dictionary<string, JsonNode?>? _evaluated;

    public NodeSettings(JsonObject? literal) => _literal = literal;

    public NodeSettings(Dictionary<string, JsonNode?> evaluated) => _evaluated = evaluated;

    public static NodeSettings Empty { get; } = new((JsonObject?)null);

    public bool Has(string name) => _evaluated?.ContainsKey(name) ?? _literal?.ContainsKey(name) ?? false;

    public JsonNode? Get(string name)
    {
        if (_evaluated is not null)
        {
            return _evaluated.GetValueOrDefault(name);
        }

        return _literal is not null && _literal.TryGetPropertyValue(name, out var value) ? value : null;
    }

    public string? GetString(string name) => Get(name) switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v => v.ToJsonString(),
        var other => other.ToJsonString(),
    };

    public double? GetNumber(string name) => Get(name) switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => JsonValues.ToDouble(v),
        JsonValue v when v.GetValueKind() == JsonValueKind.String
            && double.TryParse(v.GetValue<string>(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };

    public int? GetInt(string name) => GetNumber(name) is { } d && d == Math.Floor(d) && d is >= int.MinValue and <= int.MaxValue ? (int)d : null;

    public bool? GetBool(string name) => Get(name) switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.True => true,
        JsonValue v when v.GetValueKind() == JsonValueKind.False => false,
        _ => null,
    };
}
