using System.Text;
using System.Text.Json.Nodes;
using Plexus.Engine.Json;

namespace Plexus.Engine.Expressions;

/// <summary>A value with nothing to evaluate: evaluating it returns the very same node.</summary>
internal sealed class LiteralValue(JsonNode? literal) : CompiledValue
{
    public override bool IsLiteral => true;
    public override JsonNode? Literal { get; } = literal;
    public override IReadOnlyList<ScriptProblem> Problems => [];
    public override IReadOnlyCollection<string> ReferencedNodes => [];

    internal override ScriptOutcome Evaluate(ScriptRun run) => ScriptOutcome.Ok(Literal);
}

/// <summary>Shared by the values that hold scripts: their problems and referenced nodes, and where they sit.</summary>
internal abstract class ScriptedValue(JsonNode? source, string path, IReadOnlyCollection<ScriptProgram> programs) : CompiledValue
{
    public override bool IsLiteral => false;

    /// <summary>The setting as written.</summary>
    public override JsonNode? Literal { get; } = source;

    public override IReadOnlyList<ScriptProblem> Problems { get; } =
        programs.Where(program => program.Error is not null).Select(program => new ScriptProblem(path, program.Error!)).ToArray();

    public override IReadOnlyCollection<string> ReferencedNodes { get; } =
        programs.SelectMany(program => program.ReferencedNodes).ToHashSet(StringComparer.Ordinal);

    protected string Path { get; } = path;

    protected ScriptOutcome Fail(ScriptError error) => ScriptOutcome.Fail(error with { Path = Path });
}

/// <summary><c>"={{ js }}"</c>: the value of the expression, as JSON of any type.</summary>
internal sealed class ExpressionValue(JsonNode? source, string path, ScriptProgram program) : ScriptedValue(source, path, [program])
{
    internal override ScriptOutcome Evaluate(ScriptRun run)
    {
        var (value, error) = run.Run(program, JsToJson.Convert);
        return error is null ? ScriptOutcome.Ok(value) : Fail(error);
    }
}

/// <summary>A template: its text, with each <c>{{ js }}</c> replaced by its value as text.</summary>
internal sealed class TemplateValue(JsonNode? source, string path, IReadOnlyList<(string? Text, ScriptProgram? Program)> parts)
    : ScriptedValue(source, path, parts.Where(part => part.Program is not null).Select(part => part.Program!).ToArray())
{
    internal override ScriptOutcome Evaluate(ScriptRun run)
    {
        var result = new StringBuilder();
        foreach (var (text, program) in parts)
        {
            if (program is null)
            {
                result.Append(text);
                continue;
            }
            var (value, error) = run.Run(program, ScriptText.ForTemplate);
            if (error is not null)
            {
                return Fail(error);
            }
            result.Append(value);
        }
        return ScriptOutcome.Ok(JsonValue.Create(result.ToString()));
    }
}

/// <summary>A literal string with <c>&lt;secret:NAME&gt;</c> / <c>&lt;env:NAME&gt;</c> placeholders, resolved for the run.</summary>
internal sealed class PlaceholderValue(JsonNode? source, string path, IReadOnlyList<PlaceholderPart> parts) : ScriptedValue(source, path, [])
{
    internal override ScriptOutcome Evaluate(ScriptRun run)
    {
        var result = new StringBuilder();
        foreach (var part in parts)
        {
            var resolved = part.Source switch
            {
                null => part.Text,
                PlaceholderSource.Secret => run.Scope.Secret?.Invoke(part.Text),
                _ => run.Scope.Env is { } env && env.TryGetValue(part.Text, out var value) ? value : null,
            };
            if (resolved is null)
            {
                var source = part.Source == PlaceholderSource.Secret ? "secret" : "env";
                return Fail(new ScriptError("placeholder", $"unknown {source} '{part.Text}'"));
            }
            result.Append(resolved);
        }
        return ScriptOutcome.Ok(JsonValue.Create(result.ToString()));
    }
}
