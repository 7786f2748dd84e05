using System.Text.Json.Nodes;
using Jint;
using Jint.Native;
using Jint.Native.Function;
using Jint.Native.Object;
using Jint.Runtime;

namespace Plexus.Engine.Json;

/// <summary>Turns a JavaScript value into JSON the way <c>JSON.stringify</c> would, keeping integers integral.</summary>
/// <remarks>
/// <c>undefined</c>, functions and symbols become null at the top and inside arrays and are left out of objects;
/// NaN and the infinities become null; <c>toJSON</c> is honoured, so a Date becomes its ISO string.
/// Integral numbers become integer JSON (55, not 55.0).
/// </remarks>
internal static class JsToJson
{
    /// <summary>Deeper values are refused: System.Text.Json refuses them too when it writes or reads them.</summary>
    public const int MaxDepth = 64;

    /// <summary>Largest double below which every integer is exact (2^53).</summary>
    private const double MaxExactInteger = 9007199254740992d;

    public static JsonNode? Convert(JsValue value)
    {
        var converter = new Walk();
        return converter.Convert(JsString.Empty, value, 0);
    }

    /// <summary>The number as JSON: integral when it is an exact integer, null when it is not finite.</summary>
    public static JsonValue? ConvertNumber(double number)
    {
        if (!double.IsFinite(number))
        {
            return null;
        }
        if (Math.Abs(number) <= MaxExactInteger && number == Math.Floor(number))
        {
            return JsonValue.Create((long)number);
        }
        return JsonValue.Create(number);
    }

    private sealed class Walk
    {
        // Objects on the path from the root to the value being converted, to refuse cycles.
        private readonly HashSet<ObjectInstance> _path = new(ReferenceEqualityComparer.Instance);

        public JsonNode? Convert(JsValue key, JsValue value, int depth)
        {
            if (value is ObjectInstance withToJson && withToJson.Get("toJSON") is Function toJson)
            {
                value = ((JsValue)toJson).Call(withToJson, [key]);
            }
            return value switch
            {
                JsString text => JsonValue.Create(text.ToString()),
                JsNumber number => ConvertNumber(JsValueExtensions.AsNumber(number)),
                JsBoolean flag => JsonValue.Create(JsValueExtensions.AsBoolean(flag)),
                JsBigInt big => JsonValue.Create(big.ToString()),
                Function or JsSymbol => null,
                ObjectInstance obj => ConvertObject(obj, depth + 1),
                _ => null,
            };
        }

        private JsonNode? ConvertObject(ObjectInstance obj, int depth)
        {
            if (depth > MaxDepth)
            {
                throw new JsonConversionException($"The value is nested deeper than {MaxDepth} levels and cannot become JSON.");
            }
            if (!_path.Add(obj))
            {
                throw new JsonConversionException("The value contains a cycle and cannot become JSON.");
            }
            try
            {
                return JsValueExtensions.IsArray(obj) ? ConvertArray(obj, depth) : ConvertProperties(obj, depth);
            }
            finally
            {
                _path.Remove(obj);
            }
        }

        private JsonArray ConvertArray(ObjectInstance array, int depth)
        {
            var length = TypeConverter.ToLength(array.Get("length"));
            var result = new JsonArray();
            for (ulong i = 0; i < length; i++)
            {
                var index = JsNumber.Create((double)i);
                result.Add(Convert(JsString.Create(index.ToString()), array.Get(index), depth));
            }
            return result;
        }

        private JsonObject ConvertProperties(ObjectInstance obj, int depth)
        {
            var result = new JsonObject();
            foreach (var key in obj.GetOwnPropertyKeys(Types.String))
            {
                var descriptor = obj.GetOwnProperty(key);
                if (descriptor == Jint.Runtime.Descriptors.PropertyDescriptor.Undefined || !descriptor.Enumerable)
                {
                    continue;
                }
                var child = obj.Get(key);
                if (child.IsUndefined() || child is Function or JsSymbol)
                {
                    continue;
                }
                result[key.ToString()] = Convert(key, child, depth);
            }
            return result;
        }
    }
}

/// <summary>A script value that has no JSON form (a cycle, too deep).</summary>
internal sealed class JsonConversionException(string message) : Exception(message);
