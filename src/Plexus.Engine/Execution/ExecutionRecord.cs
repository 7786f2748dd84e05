using System.Text.Json.Nodes;
using Plexus.Engine.Nodes;

namespace Plexus.Engine.Execution;

/// <summary>A finished (or waiting) run as it may be stored and shown: secrets redacted, large values truncated.</summary>
public sealed record ExecutionRecord(
    string Id,
    string Workflow,
    string Stage,
    string Status,
    JsonNode? Result,
    HttpResponseData? Response,
    ExecutionError? Error,
    JsonNode? Trigger,
    string? CorrelationId,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    IReadOnlyList<NodeRunRecord> Nodes);

public sealed record NodeRunRecord(
    int Sequence,
    string NodeId,
    string Type,
    string Status,
    int Attempts,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    double DurationMs,
    JsonNode? Input,
    bool InputTruncated,
    JsonNode? Output,
    bool OutputTruncated,
    ExecutionError? Error,
    string? Port,
    string? Scope,
    bool Pinned,
    IReadOnlyList<string>? Logs,
    string? ResumeToken);

/// <summary>A pending wait of a run in status <c>waiting</c>.</summary>
public sealed record PendingWait(string NodeId, string Token, DateTimeOffset? ResumeAt);
