using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Plexus.Engine.Workflows;

/// <summary>
/// The one workflow format used by the API, the editor, the CLI and files in git (<c>plexus/workflow@1</c>).
/// Settings and pinned data stay JSON so that a document round-trips exactly.
/// </summary>
public sealed record WorkflowDocument
{
    public const string CurrentSchema = "plexus/workflow@1";

    [JsonPropertyOrder(0)]
    public string Schema { get; init; } = CurrentSchema;

    [JsonPropertyOrder(1)]
    public string Name { get; init; } = "";

    /// <summary><c>flow</c> (default) or <c>blueprint</c>: a reusable sub-workflow called with <c>flow.call</c>.</summary>
    [JsonPropertyOrder(2)]
    public string? Kind { get; init; }

    [JsonPropertyOrder(3)]
    public string? Description { get; init; }

    [JsonPropertyOrder(4)]
    public IReadOnlyList<NodeDefinition> Nodes { get; init; } = [];

    [JsonPropertyOrder(5)]
    public IReadOnlyList<EdgeDefinition> Edges { get; init; } = [];

    /// <summary>Test data: in editor runs a pinned node does not execute and emits its pinned value.</summary>
    [JsonPropertyOrder(6)]
    public JsonObject? Pinned { get; init; }

    /// <summary>
    /// Runs from the queue (schedules, 202 routes, API runs without <c>wait</c>) that fail are run again as a new
    /// execution, up to <c>attempts</c> in all, after <c>delayMs</c> (doubled per attempt when <c>exponential</c>).
    /// </summary>
    [JsonPropertyOrder(7)]
    public RetryPolicy? Retry { get; init; }
}

public sealed record NodeDefinition
{
    [JsonPropertyOrder(0)]
    public string Id { get; init; } = "";

    [JsonPropertyOrder(1)]
    public string Type { get; init; } = "";

    [JsonPropertyOrder(2)]
    public string? Label { get; init; }

    [JsonPropertyOrder(3)]
    public JsonObject? Settings { get; init; }

    [JsonPropertyOrder(4)]
    public NodePosition? Position { get; init; }

    [JsonPropertyOrder(5)]
    public string? Notes { get; init; }

    [JsonPropertyOrder(6)]
    public bool? Disabled { get; init; }

    [JsonPropertyOrder(7)]
    public RetryPolicy? Retry { get; init; }

    [JsonPropertyOrder(8)]
    public int? TimeoutMs { get; init; }
}

public sealed record NodePosition(double X, double Y);

/// <summary>A node's or a workflow's retry: <c>attempts</c> counts every try, the first included.</summary>
public sealed record RetryPolicy
{
    public int Attempts { get; init; } = 1;

    /// <summary><c>fixed</c> or <c>exponential</c>.</summary>
    public string Backoff { get; init; } = "fixed";

    public int DelayMs { get; init; }

    /// <summary>How long to wait after failed try number <paramref name="attempt"/> (1 for the first) before the next.</summary>
    public TimeSpan DelayAfter(int attempt) =>
        TimeSpan.FromMilliseconds(Backoff == "exponential" ? DelayMs * Math.Pow(2, attempt - 1) : DelayMs);
}

/// <summary><c>from</c>/<c>to</c> name a node and, after a dot, a port; a bare id means the default port.</summary>
public sealed record EdgeDefinition(string From, string To);
