using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Plexus.Engine.Execution;
using Plexus.Persistence.Model;
using Plexus.Server.Infrastructure.ExecutionStore;

namespace Plexus.Server.Features.Executions;

/// <summary>The body of <c>POST /api/v1/workflows/{workflowId}/runs</c>; every field may be left out.</summary>
/// <param name="Stage">The stage to run on; <c>dev</c> by default.</param>
/// <param name="Version">A version to run; else the draft on <c>dev</c>, the version published on any other stage.</param>
/// <param name="Input">What the trigger receives.</param>
/// <param name="FromNode">Run only the part reachable from this node; upstream outputs come from <paramref name="Pinned"/>, the document's pinned data or <paramref name="FromExecution"/>.</param>
/// <param name="FromExecution">An earlier execution of the workflow whose node outputs stand in for the nodes upstream of <paramref name="FromNode"/>.</param>
/// <param name="Pinned">Test data by node id, in place of the document's <c>pinned</c>: pinned nodes emit it instead of running.</param>
public sealed record RunRequestBody(string? Stage, int? Version, JsonNode? Input, string? FromNode, Guid? FromExecution, JsonObject? Pinned);

/// <summary>The body of <c>POST /api/v1/executions/{id}/resume</c>: the waiting node and what it outputs.</summary>
public sealed record ResumeRequestBody(string? Node, JsonNode? Payload);

/// <summary>The body of <c>POST /api/v1/resume/{token}</c>: what the waiting node outputs.</summary>
public sealed record ResumeByTokenBody(JsonNode? Payload);

/// <summary>A run under way: poll <c>statusUrl</c> (also in <c>Location</c>) for the execution.</summary>
public sealed record RunAccepted(Guid Id, string Status, string StatusUrl);

/// <summary>What an anonymous resume answers: the execution's id and status, nothing of its data.</summary>
public sealed record ResumedExecution(Guid Id, string Status);

/// <summary>A pending resume-wait of a run, with its single-use token: shown once, in the answer of the call that made it.</summary>
public sealed record WaitView(string Node, string Token, DateTimeOffset? ResumeAt);

/// <summary>An execution in a list: everything but its node runs.</summary>
public sealed record ExecutionSummary(
    Guid Id,
    string Status,
    JsonNode? Result,
    ExecutionError? Error,
    Guid WorkflowId,
    Guid ProjectId,
    int? Version,
    string Stage,
    JsonNode? Trigger,
    string? CorrelationId,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt)
{
    /// <summary>When the run was put in the durable queue (absent for a run started at once).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? EnqueuedAt { get; init; }

    /// <summary>1 for a first run; 2 and more for the workflow retry policy's further attempts.</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>For a retry: the execution of the first attempt.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Guid? RetryOf { get; init; }

    public static ExecutionSummary Of(ExecutionRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new(row.Id, row.Status, ExecutionJson.Parse(row.Result), ExecutionRows.Error(row.Error), row.WorkflowId, row.ProjectId,
            row.Version, row.Stage, ExecutionJson.Parse(row.Trigger), row.CorrelationId, row.StartedAt, row.EndedAt)
        {
            EnqueuedAt = row.EnqueuedAt,
            Attempt = row.Attempt,
            RetryOf = row.RetryOf,
        };
    }
}

/// <summary>
/// An execution with its node runs in order. <c>waits</c> (with resume tokens) appears only in the answer of the run or
/// resume that made them; node runs show <c>waiting: true</c> instead of a token.
/// </summary>
public sealed record ExecutionView(
    Guid Id,
    string Status,
    JsonNode? Result,
    ExecutionError? Error,
    Guid WorkflowId,
    Guid ProjectId,
    int? Version,
    string Stage,
    JsonNode? Trigger,
    string? CorrelationId,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    IReadOnlyList<NodeRunView> Nodes)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<WaitView>? Waits { get; init; }

    /// <summary>When the run was put in the durable queue (absent for a run started at once).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? EnqueuedAt { get; init; }

    /// <summary>1 for a first run; 2 and more for the workflow retry policy's further attempts.</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>For a retry: the execution of the first attempt.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Guid? RetryOf { get; init; }

    public static ExecutionView Of(ExecutionRow row, IEnumerable<NodeRunRow> nodes)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(nodes);
        return new(row.Id, row.Status, ExecutionJson.Parse(row.Result), ExecutionRows.Error(row.Error), row.WorkflowId, row.ProjectId,
            row.Version, row.Stage, ExecutionJson.Parse(row.Trigger), row.CorrelationId, row.StartedAt, row.EndedAt,
            [.. nodes.OrderBy(n => n.Sequence).Select(NodeRunView.Of)])
        {
            EnqueuedAt = row.EnqueuedAt,
            Attempt = row.Attempt,
            RetryOf = row.RetryOf,
        };
    }

    /// <summary>The view of a run's own record (redacted, truncated as stored), with its pending waits and their tokens.</summary>
    public static ExecutionView Of(Guid id, Guid workflowId, Guid projectId, int? version, ExecutionResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var record = result.Record;
        return new(id, record.Status, record.Result, record.Error, workflowId, projectId, version, record.Stage,
            record.Trigger, record.CorrelationId, record.StartedAt, record.EndedAt,
            [.. record.Nodes.OrderBy(n => n.Sequence).Select(NodeRunView.Of)])
        {
            Waits = result.Waits.Count == 0 ? null : [.. result.Waits.Select(w => new WaitView(w.NodeId, w.Token, w.ResumeAt))],
        };
    }
}

/// <summary>One activation of a node. <c>waiting</c> marks a resume-wait not yet resumed; its token is never shown here.</summary>
public sealed record NodeRunView(
    int Sequence,
    string NodeId,
    string Type,
    string Status,
    int Attempts,
    JsonNode? Input,
    bool InputTruncated,
    JsonNode? Output,
    bool OutputTruncated,
    ExecutionError? Error,
    string? Port,
    string? Scope,
    bool Pinned,
    bool Waiting,
    IReadOnlyList<string>? Logs,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    double DurationMs)
{
    public static NodeRunView Of(NodeRunRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new(row.Sequence, row.NodeId, row.Type, row.Status, row.Attempts, ExecutionJson.Parse(row.Input), row.InputTruncated,
            ExecutionJson.Parse(row.Output), row.OutputTruncated, ExecutionRows.Error(row.Error), row.Port, row.Scope, row.Pinned,
            row.Status == NodeRunStatus.Waiting, ExecutionJson.Logs(row.Logs), row.StartedAt, row.EndedAt, row.DurationMs);
    }

    public static NodeRunView Of(NodeRunRecord node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return new(node.Sequence, node.NodeId, node.Type, node.Status, node.Attempts, node.Input, node.InputTruncated,
            node.Output, node.OutputTruncated, node.Error, node.Port, node.Scope, node.Pinned, node.Status == NodeRunStatus.Waiting,
            node.Logs, node.StartedAt, node.EndedAt, node.DurationMs);
    }
}

/// <summary>Reading the JSON text columns back into values.</summary>
internal static class ExecutionJson
{
    public static JsonNode? Parse(string? text) => text is null ? null : JsonNode.Parse(text);

    public static IReadOnlyList<string>? Logs(string? text) => text is null ? null : JsonSerializer.Deserialize<List<string>>(text);
}
