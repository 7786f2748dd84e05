using System.Text.Json.Nodes;

namespace Plexus.Engine.Execution;

/// <summary>
/// One activation of a node, as the executor saw it. Values are the live ones; what is stored, shown or
/// sent is made from them by <see cref="RecordValues"/> (secrets redacted, large values truncated).
/// </summary>
public sealed class NodeRun
{
    public int Sequence { get; set; }
    public string NodeId { get; set; } = "";
    public string Type { get; set; } = "";
    public string Status { get; set; } = NodeRunStatus.Running;
    public int Attempts { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public double DurationMs { get; set; }
    public JsonNode? Input { get; set; }
    public JsonNode? Output { get; set; }
    public ExecutionError? Error { get; set; }

    /// <summary>The port the output went out on.</summary>
    public string? Port { get; set; }

    /// <summary>Where in the loops the activation ran, e.g. <c>each[3]</c> or <c>outer[1]/inner[0]</c>; null at the top level.</summary>
    public string? Scope { get; set; }

    public bool Pinned { get; set; }
    public List<string>? Logs { get; set; }

    /// <summary>A resume-wait's single-use token.</summary>
    public string? ResumeToken { get; set; }
}

/// <summary>Why a node or a run failed: <c>{ message, type, node }</c>.</summary>
public sealed record ExecutionError(string Message, string Type, string? Node);
