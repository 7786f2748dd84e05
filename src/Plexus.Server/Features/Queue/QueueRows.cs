using System.Text.Json.Nodes;
using Plexus.Engine.Execution;
using Plexus.Persistence.Model;
using Plexus.Server.Infrastructure.ExecutionStore;

namespace Plexus.Server.Features.Queue;

/// <summary>The rows that put a run in the queue: its execution, listed as <c>queued</c>, and the item a worker claims.</summary>
public static class QueueRows
{
    /// <summary>A queued start of <paramref name="work"/>, claimable from <paramref name="availableAt"/>.</summary>
    public static (ExecutionRow Execution, QueuedRunRow Item) Start(Guid id, ExecutionOwner owner, QueuedWork work, string payload,
        DateTimeOffset now, DateTimeOffset availableAt)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(work);
        var execution = new ExecutionRow
        {
            Id = id,
            OrganizationId = owner.OrganizationId,
            ProjectId = owner.ProjectId,
            WorkflowId = owner.WorkflowId,
            Version = owner.Version,
            Stage = work.Stage,
            Status = ExecutionStatus.Queued,
            Trigger = ExecutionRows.Text(StoredInput(work.Input)),
            CorrelationId = work.CorrelationId,
            StartedAt = now,
            EnqueuedAt = now,
            Attempt = work.Attempt,
            RetryOf = work.RetryOf,
        };
        return (execution, Item(id, owner, QueuedWork.StartKind, payload, now, availableAt));
    }

    /// <summary>An item for execution <paramref name="id"/>; held by <paramref name="leaseOwner"/> until <paramref name="leaseUntil"/> when given.</summary>
    public static QueuedRunRow Item(Guid id, ExecutionOwner owner, string kind, string payload, DateTimeOffset now, DateTimeOffset availableAt,
        string? leaseOwner = null, DateTimeOffset? leaseUntil = null)
    {
        ArgumentNullException.ThrowIfNull(owner);
        return new QueuedRunRow
        {
            Id = id,
            OrganizationId = owner.OrganizationId,
            ProjectId = owner.ProjectId,
            WorkflowId = owner.WorkflowId,
            Kind = kind,
            Payload = payload,
            EnqueuedAt = now,
            AvailableAt = availableAt,
            LeaseOwner = leaseOwner,
            LeaseExpiresAt = leaseUntil,
            Deliveries = leaseOwner is null ? 0 : 1,
        };
    }

    /// <summary>The trigger input as an execution record stores it (secrets masked, large values cut).</summary>
    private static JsonNode? StoredInput(JsonNode? input) => RecordValues.Store(input, new Redactor()).Value;
}
