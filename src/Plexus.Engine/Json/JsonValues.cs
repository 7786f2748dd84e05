using System.Text.Json;
using System.Text.Json.Nodes;

namespace Plexus.Engine.Json;

/// <summary>Small rules for passing JSON values around the engine without surprises.</summary>
public static class JsonValues
{
    /// <summary>A JsonNode can have only one parent: returns the node itself when free, else a deep copy.</summary>
    public static JsonNode? Detach(JsonNode? node) => node is null || node.Parent is null ? node : node.DeepClone();

    /// <summary>JavaScript truthiness of a JSON value (conditions use it).</summary>
    public static bool IsTruthy(JsonNode? node) => node switch
    {
        null => false,
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.False or JsonValueKind.Null or JsonValueKind.Undefined => false,
            JsonValueKind.String => v.GetValue<string>().Length > 0,
            JsonValueKind.Number => ToDouble(v) is var d && d != 0 && !double.IsNaN(d),
            _ => true,
        },
        _ => true,
    };

    /// <summary>A JSON number as a double, whether it was parsed from text or made from an int, a long or a double.</summary>
    public static double ToDouble(JsonValue value)
    {
        if (value.TryGetValue<double>(out var d))
        {
            return d;
        }

        if (value.TryGetValue<long>(out var l))
        {
            return l;
        }

        if (value.TryGetValue<int>(out var i))
        {
            return i;
        }

        if (value.TryGetValue<decimal>(out var m))
        {
            return (double)m;
        }

        return value.TryGetValue<float>(out var f) ? f : double.NaN;
    }

    public static string ToCompactString(JsonNode? node) => node is null ? "null" : node.ToJsonString(Compact);

    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
