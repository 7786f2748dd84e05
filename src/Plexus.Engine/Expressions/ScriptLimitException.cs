namespace Plexus.Engine.Expressions;

/// <summary>Thrown from inside a run when a limit Jint does not enforce itself is hit; scripts cannot catch it.</summary>
internal sealed class ScriptLimitException(string kind) : Exception($"{kind} limit exceeded")
{
    public const string StringSize = "string size";

    public string Kind { get; } = kind;
}
