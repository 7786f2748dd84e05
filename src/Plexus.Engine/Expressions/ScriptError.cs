namespace Plexus.Engine.Expressions;

/// <summary>
/// Why a script failed. Kind is <c>syntax</c>, <c>runtime</c>, <c>limit</c>, <c>placeholder</c> or <c>cancelled</c>.
/// A limit's message is "&lt;kind&gt; limit exceeded" (time, memory, statement, recursion, regex time, string size, array size).
/// </summary>
/// <remarks>Line and column are 1-based positions inside the script source, when known.</remarks>
public sealed record ScriptError(string Kind, string Message, int? Line = null, int? Column = null)
{
    /// <summary>Where inside an evaluated setting value the error happened ("" = the value itself, "body.id", "items[2]"); null outside setting values.</summary>
    public string? Path { get; init; }

    public override string ToString() => Line is null ? Message : $"{Message} (line {Line}, column {Column})";
}

/// <summary>A script's value, or why it failed: expected failures are values, not exceptions.</summary>
public readonly record struct ScriptOutcome(System.Text.Json.Nodes.JsonNode? Value, ScriptError? Error)
{
    public bool Succeeded => Error is null;
    public static ScriptOutcome Ok(System.Text.Json.Nodes.JsonNode? value) => new(value, null);
    public static ScriptOutcome Fail(ScriptError error) => new(null, error);
}
