using System.Text.Json.Nodes;

namespace Plexus.Engine.Execution;

/// <summary>A live event: <c>run.started</c>, <c>node.started</c>, <c>node.finished</c>, <c>node.skipped</c>, <c>run.finished</c>.</summary>
public sealed record ExecutionEvent(
    string Type,
    string ExecutionId,
    DateTimeOffset At,
    string? NodeId = null,
    int? Sequence = null,
    string? Status = null,
    JsonNode? Preview = null,
    string? Error = null,
    double? DurationMs = null,
    string? ResumeToken = null);

/// <summary>Where live events go. Values in events are already redacted and shortened.</summary>
public interface IExecutionEventSink
{
    void Publish(ExecutionEvent executionEvent);
}

public static class ExecutionEventTypes
{
    public const string RunStarted = "run.started";
    public const string NodeStarted = "node.started";
    public const string NodeFinished = "node.finished";
    public const string NodeSkipped = "node.skipped";
    public const string RunFinished = "run.finished";
}
