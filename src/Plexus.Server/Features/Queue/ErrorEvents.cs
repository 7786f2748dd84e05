using System.Text.Json;
using System.Text.Json.Nodes;
using Plexus.Engine.Execution;
using Plexus.Persistence.Model;
using Plexus.Server.Infrastructure.ExecutionStore;

namespace Plexus.Server.Features.Queue;

/// <summary>The <c>execution.failed</c> outbox event: what the project's error workflow gets as its input.</summary>
public static class ErrorEvents
{
    public const string FailedTopic = "execution.failed";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <param name="workflowName">The failed workflow's name when known; the dispatcher fills it in otherwise.</param>
    public static OutboxMessageRow Failed(Guid executionId, ExecutionOwner owner, string? workflowName, ExecutionRecord record, int attempt,
        Guid? retryOf, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(record);
        var details = new FailedExecution(executionId, owner.ProjectId, owner.WorkflowId, workflowName, owner.Version, record.Stage,
            record.Error is { } error ? new FailedError(error.Message, error.Type, error.Node) : null, record.StartedAt, record.EndedAt ?? now,
            attempt, retryOf, record.CorrelationId);
        return new OutboxMessageRow
        {
            OrganizationId = owner.OrganizationId,
            Topic = FailedTopic,
            Payload = JsonSerializer.Serialize(details, Json),
            CreatedAt = now,
        };
    }

    public static FailedExecution? Read(string payload)
    {
        try
        {
            return JsonSerializer.Deserialize<FailedExecution>(payload, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The error workflow's trigger input: <c>{ execution: {...} }</c>.</summary>
    public static JsonObject Input(FailedExecution failed) => new()
    {
        ["execution"] = JsonSerializer.SerializeToNode(failed, Json),
    };
}

/// <summary>A failed execution as its project's error workflow sees it.</summary>
public sealed record FailedExecution(Guid Id, Guid ProjectId, Guid WorkflowId, string? Workflow, int? Version, string Stage, FailedError? Error,
    DateTimeOffset StartedAt, DateTimeOffset EndedAt, int Attempt, Guid? RetryOf, string? CorrelationId);

public sealed record FailedError(string Message, string? Type, string? Node);
