using System.Text.Json;
using Plexus.Engine.Execution;
using Plexus.Engine.Validation;
using Plexus.Engine.Workflows;

namespace Plexus.Server.Features.Workflows;

/// <summary>
/// A workflow document as the engine sees it: parsed (unknown properties and wrong types refused) and validated,
/// every problem with its exact path. <see cref="Text"/> is what gets stored: the canonical form when it parsed, else
/// the body as sent (only a draft saved with <c>allowInvalid</c> keeps an unparseable document).
/// </summary>
public sealed record DraftCheck(WorkflowDocument? Document, string Text, IReadOnlyList<Problem> Problems)
{
    public bool Valid => Document is not null && Problems.Count == 0;

    /// <summary>False for a body that is not even a JSON object: that is never stored.</summary>
    public bool Storable => Text.Length > 0;

    public static DraftCheck Of(JsonElement body, WorkflowCompiler compiler)
    {
        ArgumentNullException.ThrowIfNull(compiler);
        if (body.ValueKind != JsonValueKind.Object)
        {
            return new(null, "", [new Problem("", "must be a workflow document (a JSON object)")]);
        }

        var raw = body.GetRawText();
        var parsed = WorkflowFile.Parse(raw);
        return parsed.Document is { } document
            ? Of(document, compiler)
            : new(null, raw, parsed.Problems);
    }

    public static DraftCheck Of(WorkflowDocument document, WorkflowCompiler compiler)
    {
        ArgumentNullException.ThrowIfNull(compiler);
        return new(document, WorkflowFile.Write(document), compiler.Validate(document));
    }

    /// <summary>Re-checks a stored draft or version, e.g. before freezing it: node types may have changed since.</summary>
    public static DraftCheck Of(string stored, WorkflowCompiler compiler)
    {
        ArgumentNullException.ThrowIfNull(compiler);
        var parsed = WorkflowFile.Parse(stored);
        return parsed.Document is { } document
            ? new(document, stored, compiler.Validate(document))
            : new(null, stored, parsed.Problems);
    }

    /// <summary>The problems keyed by path, the path prefixed with where the document sits in a request body.</summary>
    public IEnumerable<(string Path, string Message)> Errors(string prefix = "") =>
        Problems.Select(p => (Join(prefix, p.Path), p.Message));

    private static string Join(string prefix, string path) =>
        prefix.Length == 0 ? path
        : path.Length == 0 ? prefix
        : path[0] == '[' ? prefix + path
        : prefix + "." + path;
}

/// <summary>One problem of a document, as answered by the API.</summary>
public sealed record DocumentProblem(string Path, string Message);
