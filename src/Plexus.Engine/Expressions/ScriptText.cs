using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Jint;
using Jint.Native;
using Jint.Native.Function;
using Jint.Runtime;
using Plexus.Engine.Json;

namespace Plexus.Engine.Expressions;

/// <summary>How a script value reads as text, in a template and in a log line.</summary>
internal static class ScriptText
{
    // Templates and logs are text for people: keep "é" and "<" as they are instead of \u escapes.
    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>In a template: strings as they are, numbers and booleans as JavaScript prints them, objects as compact JSON, null and undefined as nothing.</summary>
    public static string ForTemplate(JsValue value) => value switch
    {
        JsString text => text.ToString(),
        JsNumber or JsBoolean => TypeConverter.ToString(value),
        JsSymbol or Function => value.ToString(),
        Jint.Native.Object.ObjectInstance => AsJson(value),
        _ => "",
    };

    /// <summary>In a log line: like a template, except that null and undefined are named.</summary>
    public static string ForLog(JsValue value) => value.IsNull() ? "null" : value.IsUndefined() ? "undefined" : ForTemplate(value);

    private static string AsJson(JsValue value) => JsToJson.Convert(value) switch
    {
        null => "",
        JsonValue text when text.GetValueKind() == JsonValueKind.String => text.GetValue<string>(),
        var node => node.ToJsonString(Compact),
    };
}
