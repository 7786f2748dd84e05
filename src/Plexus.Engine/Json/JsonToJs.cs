using System.Text.Json;
using System.Text.Json.Nodes;
using Jint.Native;

namespace Plexus.Engine.Json;

/// <summary>Turns JSON values into fresh JavaScript values owned by one Jint engine.</summary>
/// <remarks>
/// Every call builds new objects, so a script that mutates what it received cannot change the JSON it came from.
/// Objects are converted lazily (<see cref="JsonObjectView"/>): only the parts a script reads cost anything.
/// </remarks>
internal static class JsonToJs
{
    public static JsValue Convert(Jint.Engine engine, JsonNode? node) => node switch
    {
        null => JsValue.Null,
        JsonObject obj => new JsonObjectView(engine, obj),
        JsonArray array => ConvertArray(engine, array),
        JsonValue value => ConvertValue(engine, value),
        _ => throw new ArgumentException($"Unsupported JSON node type {node.GetType().Name}.", nameof(node)),
    };

    private static JsArray ConvertArray(Jint.Engine engine, JsonArray array)
    {
        var items = new JsValue[array.Count];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = Convert(engine, array[i]);
        }
        return new JsArray(engine, items);
    }

    private static JsValue ConvertValue(Jint.Engine engine, JsonValue value)
    {
        if (value.TryGetValue(out JsonElement element))
        {
            return ConvertElement(engine, element);
        }
        if (value.TryGetValue(out string? text))
        {
            return JsString.Create(text);
        }
        if (value.TryGetValue(out bool flag))
        {
            return flag ? JsBoolean.True : JsBoolean.False;
        }
        if (value.TryGetValue(out double number))
        {
            return JsNumber.Create(number);
        }
        if (value.TryGetValue(out long integer))
        {
            return JsNumber.Create(integer);
        }
        if (value.TryGetValue(out int small))
        {
            return JsNumber.Create(small);
        }
        // Values created from other CLR types (decimal, DateTime, Guid, ...) go through their JSON text.
        using var document = JsonDocument.Parse(value.ToJsonString());
        return ConvertElement(engine, document.RootElement);
    }

    private static JsValue ConvertElement(Jint.Engine engine, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var obj = new JsObject(engine);
                foreach (var property in element.EnumerateObject())
                {
                    obj.FastSetDataProperty(property.Name, ConvertElement(engine, property.Value));
                }
                return obj;
            case JsonValueKind.Array:
                var items = new JsValue[element.GetArrayLength()];
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    items[i++] = ConvertElement(engine, item);
                }
                return new JsArray(engine, items);
            case JsonValueKind.String:
                return JsString.Create(element.GetString()!);
            case JsonValueKind.Number:
                return JsNumber.Create(element.GetDouble());
            case JsonValueKind.True:
                return JsBoolean.True;
            case JsonValueKind.False:
                return JsBoolean.False;
            default:
                return JsValue.Null;
        }
    }
}
