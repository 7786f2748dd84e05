using System.Text.Json.Nodes;
using Plexus.Engine.Json;

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

    /// <summary>A fresh node holding the value for this run; literal values return <see cref="Literal"/> instead.</summary>
    internal abstract ScriptOutcome Evaluate(ScriptRun run);
}

/// <summary>A <c>code.js</c> function body compiled once.</summary>
public abstract class CompiledCode
{
    public abstract IReadOnlyList<ScriptProblem> Problems { get; }
    public abstract IReadOnlyCollection<string> ReferencedNodes { get; }

    internal abstract ScriptProgram Program { get; }
}

/// <summary>Runs expressions, templates and <c>code.js</c> bodies in a Jint sandbox under <see cref="ScriptLimits"/>. Thread-safe.</summary>
/// <remarks>
/// Engines are pooled per set of limits and hardened once (built-ins frozen), so that runs are cheap and nothing
/// one run does is visible to the next. Parsed scripts are cached and shared by every engine.
/// </remarks>
public sealed class ScriptHost
{
    private readonly ValueCompiler _compiler = new();
    private readonly SandboxPool _expressionSandboxes;
    private readonly SandboxPool _codeSandboxes;

    public ScriptHost(ScriptLimits? expressionLimits = null, ScriptLimits? codeLimits = null)
    {
        ExpressionLimits = expressionLimits ?? ScriptLimits.ExpressionDefaults;
        CodeLimits = codeLimits ?? ScriptLimits.CodeDefaults;
        _expressionSandboxes = new SandboxPool(ExpressionLimits);
        _codeSandboxes = new SandboxPool(CodeLimits);
    }

    public ScriptLimits ExpressionLimits { get; }
    public ScriptLimits CodeLimits { get; }

    public CompiledValue Compile(JsonNode? value) => _compiler.Compile(value, "");

    public ScriptOutcome Evaluate(CompiledValue value, ScriptScope scope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.IsLiteral)
        {
            return ScriptOutcome.Ok(value.Literal);
        }
        using var run = new ScriptRun(_expressionSandboxes, scope, logs: null, cancellationToken);
        return value.Evaluate(run);
    }

    public CompiledCode CompileCode(string functionBody) => new CompiledFunctionBody(_compiler.ParseScript(functionBody, isBody: true));

    public ScriptOutcome RunCode(CompiledCode code, ScriptScope scope, ICollection<string> logs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(code);
        using var run = new ScriptRun(_codeSandboxes, scope, logs, cancellationToken);
        var (value, error) = run.Run(code.Program, JsToJson.Convert);
        return error is null ? ScriptOutcome.Ok(value) : ScriptOutcome.Fail(error);
    }

    private sealed class CompiledFunctionBody(ScriptProgram program) : CompiledCode
    {
        public override IReadOnlyList<ScriptProblem> Problems { get; } =
            program.Error is null ? [] : [new ScriptProblem("", program.Error)];

        public override IReadOnlyCollection<string> ReferencedNodes => program.ReferencedNodes;

        internal override ScriptProgram Program => program;
    }
}
