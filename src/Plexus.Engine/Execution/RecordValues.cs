using System.Buffers;
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
    /// <remarks>Values are never changed after they are emitted, so a value that needs no change is stored as it is.</remarks>
    public static (JsonNode? Value, bool Truncated) Store(JsonNode? value, Redactor redactor)
    {
        if (value is null || (redactor.IsEmpty && FitsUnchanged(value)))
        {
            return (value, false);
        }

        var text = value.ToJsonString(Options);
        var redacted = redactor.IsEmpty ? text : redactor.RedactJson(text);
        if (redacted.Length > MaxChars)
        {
            return (JsonValue.Create(redacted[..MaxChars]), true);
        }

        if (ReferenceEquals(redacted, text))
        {
            return (value, false);
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

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>Whether the value's JSON text is within the limit, measured without making a string (UTF-8 bytes ≥ characters).</summary>
    private static bool FitsUnchanged(JsonNode value)
    {
        if (value is JsonValue scalar && scalar.GetValueKind() != JsonValueKind.String)
        {
            return true;
        }

        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = Options.Encoder, SkipValidation = true });
        writer.Reset(buffer);
        value.WriteTo(writer);
        writer.Flush();
        var fits = buffer.WrittenCount <= MaxChars;
        if (buffer.Capacity > 4 * MaxChars)
        {
            t_buffer = null; // do not keep a huge buffer per thread
            t_writer = null;
        }

        return fits;
    }
}
