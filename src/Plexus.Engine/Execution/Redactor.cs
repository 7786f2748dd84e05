using System.Text.Encodings.Web;
using System.Text.Json;

namespace Plexus.Engine.Execution;

/// <summary>
/// Remembers every secret value a run resolved and blanks it out of anything recorded, logged or sent as
/// an event, also where it is embedded in a longer string.
/// </summary>
public sealed class Redactor
{
    public const string Mask = "***";
    private readonly Lock _gate = new();
    private string[] _values = [];

    public bool IsEmpty => _values.Length == 0;

    public void Add(string value)
    {
        if (value.Length == 0)
        {
            return;
        }

        lock (_gate)
        {
            if (Array.IndexOf(_values, value) < 0)
            {
                // Longest first, so that a secret containing another is masked whole.
                _values = [.. _values.Append(value).OrderByDescending(v => v.Length)];
            }
        }
    }

    public string Redact(string text)
    {
        foreach (var value in _values)
        {
            if (text.Contains(value, StringComparison.Ordinal))
            {
                text = text.Replace(value, Mask, StringComparison.Ordinal);
            }
        }

        return text;
    }

    /// <summary>Redacts JSON text: secrets are searched in their escaped form as it appears in the text.</summary>
    internal string RedactJson(string json)
    {
        foreach (var value in _values)
        {
            var escaped = JsonEncodedText.Encode(value, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).Value;
            if (json.Contains(escaped, StringComparison.Ordinal))
            {
                json = json.Replace(escaped, Mask, StringComparison.Ordinal);
            }
        }

        return json;
    }
}
