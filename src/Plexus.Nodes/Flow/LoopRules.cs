using Plexus.Engine.Workflows;

namespace Plexus.Nodes.Flow;

/// <summary>Checks shared by the nodes that only make sense inside a loop body.</summary>
internal static class LoopRules
{
    /// <summary>Reports when the node is not in a loop body; returns the innermost loop's id, or null.</summary>
    public static string? InnermostLoop(NodeDefinition node, WorkflowShape workflow, Action<string, string> report)
    {
        if (!workflow.TryGetIndex(node.Id, out var index))
        {
            return null;
        }

        var loop = workflow.InnermostLoop(index);
        if (loop < 0)
        {
            report("type", $"'{node.Type}' must be inside the body of a flow.loop (after its 'item' port)");
            return null;
        }

        return workflow.Nodes[loop].Id;
    }
}
