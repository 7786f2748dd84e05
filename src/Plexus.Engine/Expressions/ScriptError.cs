namespace Plexus.Engine.Expressions;

/// <summary>Why a script failed. Kind is <c>syntax</c>, <c>runtime</c>, <c>limit</c>, <c>placeholder</c>.</summary>
/// <remarks>Line and column are 1-based positions inside the script source, when known.</remarks>
public sealed record ScriptError(string Kind, string Message, int? Line = null, int? Column = null)
{
    public override string ToString() => Line is null ? Message : $"{Message} (line {Line}, column {Column})";
}

/// <summary>A script's value, or why it failed: expected failures are values, not exceptions.</summary>
public readonly record struct ScriptOutcome(System.Text.Json.Nodes.JsonNode? Value, ScriptError? Error)
{
    public bool Succeeded => Error is null;
    public static ScriptOutcome Ok(System.Text.Json.Nodes.JsonNode? value) => new(value, null);
    public static ScriptOutcome Fail(ScriptError error) => new(null, error);
}
