using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Plexus.Cli;

/// <summary>How values look when shown: compact JSON, shortened previews, durations.</summary>
internal static class Display
{
    public static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static readonly JsonSerializerOptions Indented = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, WriteIndented = true };

    public static string Json(JsonNode? value) => value is null ? "null" : value.ToJsonString(Compact);

    public static string Shorten(string text, int max)
    {
        text = Cli.OneLine(text);
        return text.Length <= max ? text : string.Concat(text.AsSpan(0, max - 1), "…");
    }

    public static string Duration(double ms) => ms switch
    {
        < 1 => string.Create(CultureInfo.InvariantCulture, $"{ms:0.00} ms"),
        < 1000 => string.Create(CultureInfo.InvariantCulture, $"{ms:0.#} ms"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{ms / 1000:0.##} s"),
    };
}
