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
            var name = unmapped.Groups[1].Value;
            return new Problem(JsonPaths.Child(path, name), $"unknown property '{name}'{position}");
        }

        if (path.Length > 0 && e.InnerException is null && e.Message.Contains("could not be converted", StringComparison.Ordinal))
        {
            return new Problem(path, $"has the wrong type{position}; {ExpectedType(e.Message)}");
        }

        return new Problem(path, $"invalid JSON{position}: {FirstSentence(e.Message)}");
    }

    private static string ExpectedType(string message)
    {
        var match = ConvertedTo().Match(message);
        if (!match.Success)
        {
            return "see the workflow format";
        }

        var type = match.Groups[1].Value;
        return type switch
        {
            _ when type.Contains("String", StringComparison.Ordinal) => "expected a string",
            _ when type.Contains("Int32", StringComparison.Ordinal) => "expected an integer",
            _ when type.Contains("Double", StringComparison.Ordinal) => "expected a number",
            _ when type.Contains("Boolean", StringComparison.Ordinal) => "expected true or false",
            _ when type.Contains("IReadOnlyList", StringComparison.Ordinal) => "expected an array",
            _ when type.Contains("JsonObject", StringComparison.Ordinal) => "expected an object",
            _ => "expected an object",
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

    [GeneratedRegex("converted to ([^.\\s]+(?:\\.[^.\\s]+)*)")]
    private static partial Regex ConvertedTo();
}
