using System.Text.Json.Nodes;

namespace Plexus.Engine.Expressions;

/// <summary>A problem found while compiling a setting value; Path is relative to the setting ("" = the setting itself, "body.id", "items[2]").</summary>
public sealed record ScriptProblem(string Path, ScriptError Error);

/// <summary>A setting value compiled once: literal parts kept as they are, expressions and templates parsed.</summary>
public abstract class CompiledValue
{
    /// <summary>True when the value holds no expression, template or placeholder: evaluating it returns <see cref="Literal"/> itself.</summary>
    public abstract bool IsLiteral { get; }
    public abstract JsonNode? Literal { get; }
    public abstract IReadOnlyList<ScriptProblem> Problems { get; }
    /// <summary>Ids X referenced as <c>nodes.X</c> / <c>nodes["X"]</c> anywhere in the value's expressions.</summary>
    public abstract IReadOnlyCollection<string> ReferencedNodes { get; }
}

/// <summary>A <c>code.js</c> function body compiled once.</summary>
public abstract class CompiledCode
{
    public abstract IReadOnlyList<ScriptProblem> Problems { get; }
    public abstract IReadOnlyCollection<string> ReferencedNodes { get; }
}

/// <summary>Runs expressions, templates and <c>code.js</c> bodies in a Jint sandbox under <see cref="ScriptLimits"/>. Thread-safe.</summary>
public sealed class ScriptHost
{
    public ScriptHost(ScriptLimits? expressionLimits = null, ScriptLimits? codeLimits = null)
    {
        ExpressionLimits = expressionLimits ?? ScriptLimits.ExpressionDefaults;
        CodeLimits = codeLimits ?? ScriptLimits.CodeDefaults;
    }

    public ScriptLimits ExpressionLimits { get; }
    public ScriptLimits CodeLimits { get; }

    public CompiledValue Compile(JsonNode? value) => throw new NotImplementedException();

    public ScriptOutcome Evaluate(CompiledValue value, ScriptScope scope, CancellationToken cancellationToken) => throw new NotImplementedException();

    public CompiledCode CompileCode(string functionBody) => throw new NotImplementedException();

    public ScriptOutcome RunCode(CompiledCode code, ScriptScope scope, ICollection<string> logs, CancellationToken cancellationToken) => throw new NotImplementedException();
}
