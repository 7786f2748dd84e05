namespace Plexus.Persistence.Model;

/// <summary>
/// A run waiting for a worker, or held by one: a start (schedules, 202 routes, API runs without <c>wait</c>, retries),
/// or the resumption of a waiting execution (by timer, by the resume API). Its id is the execution's: an execution
/// has at most one queued item at a time. Claimed by setting a lease; a lease that expires (its replica died) makes
/// the item claimable again.
/// </summary>
public sealed class QueuedRunRow
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public Guid ProjectId { get; set; }
    public Guid WorkflowId { get; set; }

    /// <summary><c>start</c> or <c>resume</c>.</summary>
    public required string Kind { get; set; }

    /// <summary>What the worker needs to run it, as JSON protected with Data Protection (it holds request data).</summary>
    public required string Payload { get; set; }

    public DateTimeOffset EnqueuedAt { get; set; }

    /// <summary>Not claimed before this time: a timer's due time, a retry's backoff, or <see cref="EnqueuedAt"/>.</summary>
    public DateTimeOffset AvailableAt { get; set; }

    /// <summary>The replica holding the item, or null while it waits.</summary>
    public string? LeaseOwner { get; set; }

    /// <summary>Until when the lease holds unless renewed by the owner's heartbeat.</summary>
    public DateTimeOffset? LeaseExpiresAt { get; set; }

    /// <summary>How many times a worker claimed it: more than one means a replica died while running it.</summary>
    public int Deliveries { get; set; }
}

/// <summary>
/// An event caused by a change of an execution's state, written in the same transaction as that change and handled
/// afterwards (at least once) by the outbox dispatcher, e.g. <c>execution.failed</c> starting the project's error workflow.
/// </summary>
public sealed class OutboxMessageRow
{
    public long Id { get; set; }
    public Guid OrganizationId { get; set; }
    public required string Topic { get; set; }

    /// <summary>The event as JSON.</summary>
    public required string Payload { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The dispatcher that holds it, until when: another takes it over once this has passed.</summary>
    public DateTimeOffset? LockedUntil { get; set; }

    public int Attempts { get; set; }
}
