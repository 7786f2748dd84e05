using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Plexus.Engine.Execution;

namespace Plexus.Cli;

/// <summary>
/// Masks every secret value given with <c>--secrets</c> in whatever the CLI prints. The engine already masks
/// what a run resolved itself; this also covers a secret that a called blueprint resolved and handed back
/// in its result, which the calling run cannot know is one.
/// </summary>
internal sealed class SecretMask
{
    private readonly string[] _values;

    public SecretMask(IEnumerable<string> secrets)
    {
        // Raw and JSON-escaped forms, longest first, so that a secret containing another is masked whole.
        _values = [.. secrets.Where(s => s.Length > 0)
            .SelectMany(s => new[] { s, JsonEncodedText.Encode(s, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).Value })
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(s => s.Length)];
    }

    public bool IsEmpty => _values.Length == 0;

    public string Apply(string text)
    {
        foreach (var value in _values)
        {
            if (text.Contains(value, StringComparison.Ordinal))
            {
                text = text.Replace(value, Redactor.Mask, StringComparison.Ordinal);
            }
        }

        return text;
    }

    /// <summary>A copy of <paramref name="node"/> with secrets masked in every string and property name: still valid JSON.</summary>
    public JsonNode? Apply(JsonNode? node) => IsEmpty ? node : node switch
    {
        null => null,
        JsonObject obj => new JsonObject(obj.Select(p => KeyValuePair.Create(Apply(p.Key), Apply(p.Value)))),
        JsonArray array => new JsonArray([.. array.Select(Apply)]),
        JsonValue value when value.GetValueKind() == JsonValueKind.String => JsonValue.Create(Apply(value.GetValue<string>())),
        _ => node.DeepClone(),
    };

    /// <summary>A writer that masks secrets line by line before passing text on (the writer itself when there is nothing to mask).</summary>
    public TextWriter Wrap(TextWriter writer) => IsEmpty ? writer : new MaskingWriter(writer, this);
}

/// <summary>Buffers a line, masks it, writes it. A secret never spans lines in what the CLI prints.</summary>
internal sealed class MaskingWriter(TextWriter inner, SecretMask mask) : TextWriter
{
    private readonly StringBuilder _line = new();
    private readonly Lock _gate = new();

    public TextWriter Inner => inner;

    public override Encoding Encoding => inner.Encoding;

    public override void Write(char value)
    {
        lock (_gate)
        {
            _line.Append(value);
            if (value == '\n')
            {
                WritePending();
            }
        }
    }

    public override void Write(string? value)
    {
        if (value is null)
        {
            return;
        }

        lock (_gate)
        {
            var start = 0;
            for (var newline = value.IndexOf('\n', StringComparison.Ordinal); newline >= 0; newline = value.IndexOf('\n', start))
            {
                _line.Append(value, start, newline + 1 - start);
                WritePending();
                start = newline + 1;
            }

            _line.Append(value, start, value.Length - start);
        }
    }

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override void Flush()
    {
        lock (_gate)
        {
            WritePending();
            inner.Flush();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Flush();
        }

        base.Dispose(disposing);
    }

    private void WritePending()
    {
        if (_line.Length > 0)
        {
            inner.Write(mask.Apply(_line.ToString()));
            _line.Clear();
        }
    }
}
