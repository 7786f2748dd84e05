using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Plexus.Engine.Validation;

namespace Plexus.Engine.Workflows;

/// <summary>A parsed document, or the problems that kept it from parsing.</summary>
public sealed record ParseResult(WorkflowDocument? Document, IReadOnlyList<Problem> Problems)
{
    public bool Succeeded => Document is not null;
}

/// <summary>Reads and writes the workflow JSON format.</summary>
public static partial class WorkflowFile
{
    public static ParseResult Parse(string json) => Parse(Encoding.UTF8.GetBytes(json));

    public static ParseResult Parse(ReadOnlySpan<byte> utf8)
    {
        try
        {
            var document = JsonSerializer.Deserialize(utf8, WorkflowJsonContext.Default.WorkflowDocument);
            return document is null
                ? new ParseResult(null, [new Problem("", "the document is null; expected a workflow object")])
                : new ParseResult(document, []);
        }
        catch (JsonException e)
        {
            return new ParseResult(null, [Describe(e)]);
        }
    }

    public static string Write(WorkflowDocument document) =>
        JsonSerializer.Serialize(document, WorkflowJsonContext.Default.WorkflowDocument);

    private static Problem Describe(JsonException e)
    {
        var path = JsonPaths.FromJsonPath(e.Path);
        var position = e.LineNumber is { } line ? $" at line {line + 1}, column {(e.BytePositionInLine ?? 0) + 1}" : "";
        var unmapped = UnmappedProperty().Match(e.Message);
        if (unmapped.Success)
        {
            // The exception's path already ends at the unknown property.
            return new Problem(path, $"unknown property '{unmapped.Groups[1].Value}'{position}");
        }

        if (path.Length > 0 && e.Message.Contains("could not be converted", StringComparison.Ordinal))
        {
            return new Problem(path, $"has the wrong type{position}; {ExpectedType(path)}");
        }

        return new Problem(path, $"invalid JSON{position}: {FirstSentence(e.Message)}");
    }

    /// <summary>What the format wants at a path; the serializer's message names only the containing type.</summary>
    private static string ExpectedType(string path)
    {
        var property = path[(path.LastIndexOfAny(['.', ']']) + 1)..];
        return property switch
        {
            "timeoutMs" or "attempts" or "delayMs" => "expected an integer",
            "x" or "y" => "expected a number",
            "disabled" => "expected true or false",
            "nodes" or "edges" => "expected an array",
            "settings" or "pinned" or "retry" or "position" or "" => "expected an object",
            _ => "expected a string",
        };
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        var text = cut > 0 ? message[..cut] : message;
        cut = text.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut > 0 ? text[..cut] : text).TrimEnd('.', ' ');
    }

    [GeneratedRegex("property '([^']*)' could not be mapped")]
    private static partial Regex UnmappedProperty();
}
