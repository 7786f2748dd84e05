using System.Text.Json.Nodes;

namespace Plexus.Engine.Expressions;

/// <summary>An object or array with something to evaluate inside: evaluates to a fresh node of the same shape.</summary>
/// <remarks>Literal children are deep-cloned into the result, because a JSON node can have only one parent.</remarks>
internal abstract class ContainerValue(JsonNode source, IReadOnlyCollection<CompiledValue> children) : CompiledValue
{
    public override bool IsLiteral => false;
    public override JsonNode? Literal { get; } = source;
    public override IReadOnlyList<ScriptProblem> Problems { get; } = children.SelectMany(child => child.Problems).ToArray();
    public override IReadOnlyCollection<string> ReferencedNodes { get; } =
        children.SelectMany(child => child.ReferencedNodes).ToHashSet(StringComparer.Ordinal);

    protected static ScriptOutcome EvaluateChild(CompiledValue child, ScriptRun run) =>
        child.IsLiteral ? ScriptOutcome.Ok(child.Literal?.DeepClone()) : child.Evaluate(run);
}

internal sealed class ObjectValue(JsonObject source, IReadOnlyList<(string Name, CompiledValue Value)> properties)
    : ContainerValue(source, properties.Select(property => property.Value).ToArray())
{
    internal override ScriptOutcome Evaluate(ScriptRun run)
    {
        var result = new JsonObject(source.Options);
        foreach (var (name, value) in properties)
        {
            var outcome = EvaluateChild(value, run);
            if (!outcome.Succeeded)
            {
                return outcome;
            }
            result[name] = outcome.Value;
        }
        return ScriptOutcome.Ok(result);
    }
}

internal sealed class ArrayValue(JsonArray source, IReadOnlyList<CompiledValue> items) : ContainerValue(source, items)
{
    internal override ScriptOutcome Evaluate(ScriptRun run)
    {
        var result = new JsonArray(source.Options);
        foreach (var item in items)
        {
            var outcome = EvaluateChild(item, run);
            if (!outcome.Succeeded)
            {
                return outcome;
            }
            result.Add(outcome.Value);
        }
        return ScriptOutcome.Ok(result);
    }
}
