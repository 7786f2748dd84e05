using Plexus.Engine.Expressions;
using Plexus.Engine.Workflows;

namespace Plexus.Engine.Nodes;

/// <summary>
/// A kind of node. It says what should happen (emit on a port, fail, suspend, respond) and leaves the
/// driving to the executor. Services come through the context, never through statics.
/// </summary>
public abstract class NodeType
{
    public abstract NodeTypeInfo Info { get; }

    public abstract ValueTask<NodeResult> ExecuteAsync(NodeContext context, CancellationToken cancellationToken);

    /// <summary>Work done once per node when a workflow is compiled (parse code, a route template); its result reaches every run as <see cref="NodeContext.Prepared"/>.</summary>
    public virtual object? Prepare(NodeDefinition node, ScriptHost scripts) => null;

    /// <summary>Checks beyond the settings schema, e.g. that <c>flow.loopEnd.loop</c> names a loop. Report with <paramref name="report"/>(relative path, message).</summary>
    public virtual void Validate(NodeDefinition node, WorkflowShape workflow, ScriptHost scripts, Action<string, string> report)
    {
    }
}
