using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Plexus.Cli;

/// <summary>
/// Reads option values that hold JSON inline or as <c>@file</c>. Collects every problem instead of stopping at
/// the first, so that one try shows all that is wrong with a command line.
/// </summary>
internal sealed class Arguments
{
    private readonly List<string> _errors = [];

    public IReadOnlyList<string> Errors => _errors;

    public bool Failed => _errors.Count > 0;

    public void Error(string message) => _errors.Add(message);

    /// <summary>The text of <paramref name="value"/>, or of the file it names after '@'.</summary>
    public string? Text(string option, string value)
    {
        if (!value.StartsWith('@'))
        {
            return value;
        }

        var path = value[1..];
        if (path.Length == 0)
        {
            Error($"{option}: '@' must be followed by a file name");
            return null;
        }

        if (!File.Exists(path))
        {
            Error($"{option}: file not found: {path}");
            return null;
        }

        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Error($"{option}: cannot read {path}: {Cli.OneLine(e.Message)}");
            return null;
        }
    }

    /// <summary>A JSON value given inline or as @file; false (with an error naming line and column) when malformed.</summary>
    public bool TryJson(string option, string value, out JsonNode? json)
    {
        json = null;
        if (Text(option, value) is not { } text)
        {
            return false;
        }

        if (!TryParse(text, out json, out var problem))
        {
            Error($"{option}: {problem}");
            return false;
        }

        return true;
    }

    /// <summary>A JSON object of string values (secrets, environment variables).</summary>
    public Dictionary<string, string> StringMap(string option, string? value)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (value is null || !TryJson(option, value, out var json))
        {
            return map;
        }

        if (json is not JsonObject entries)
        {
            Error($"{option}: expected a JSON object of string values, like {{\"name\": \"value\"}}");
            return map;
        }

        foreach (var (name, entry) in entries)
        {
            if (entry is JsonValue text && text.TryGetValue<string>(out var s))
            {
                map[name] = s;
            }
            else
            {
                // The value itself stays out of the message: it may be a secret.
                Error($"{option}: '{name}' must be a string");
            }
        }

        return map;
    }

    /// <summary>Parses JSON text; on failure says what is wrong and where (1-based line and column).</summary>
    public static bool TryParse(string text, out JsonNode? json, out string? problem)
    {
        problem = null;
        try
        {
            json = JsonNode.Parse(text);
            return true;
        }
        catch (JsonException e)
        {
            json = null;
            var line = (e.LineNumber ?? 0) + 1;
            var column = (e.BytePositionInLine ?? 0) + 1;
            problem = string.Create(CultureInfo.InvariantCulture, $"invalid JSON at line {line}, column {column}: {FirstSentence(e.Message)}");
            return false;
        }
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        var text = cut > 0 ? message[..cut] : message;
        cut = text.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut > 0 ? text[..cut] : text).TrimEnd('.', ' ');
    }
}
