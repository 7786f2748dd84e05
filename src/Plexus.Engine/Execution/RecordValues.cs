using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Plexus.Engine.Execution;

/// <summary>Turns live values into what may be stored or shown: secrets redacted, values over 64 KB truncated.</summary>
public static class RecordValues
{
    public const int MaxChars = 64 * 1024;

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = false,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The value to store, and whether it was cut. A cut value is the first 64 KB of its JSON text, as a string.</summary>
    public static (JsonNode? Value, bool Truncated) Store(JsonNode? value, Redactor redactor)
    {
        if (value is null || (redactor.IsEmpty && IsSmallScalar(value)))
        {
            return (value is null ? null : value.DeepClone(), false);
        }

        var text = value.ToJsonString(Options);
        var redacted = redactor.IsEmpty ? text : redactor.RedactJson(text);
        if (redacted.Length > MaxChars)
        {
            return (JsonValue.Create(redacted[..MaxChars]), true);
        }

        if (ReferenceEquals(redacted, text))
        {
            return (value.DeepClone(), false);
        }

        try
        {
            return (JsonNode.Parse(redacted), false);
        }
        catch (JsonException)
        {
            // Masking cut through an escape sequence; keep the redacted text rather than the secret.
            return (JsonValue.Create(redacted), false);
        }
    }

    private static bool IsSmallScalar(JsonNode value) =>
        value is JsonValue v && (v.GetValueKind() != JsonValueKind.String || v.GetValue<string>().Length <= MaxChars);
}
