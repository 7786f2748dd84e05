namespace Plexus.Persistence.Model;

/// <summary>One run. JSON columns hold the stored (redacted, truncated) forms from the engine's record.</summary>
public sealed class ExecutionRow
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public Guid ProjectId { get; set; }
    public Guid WorkflowId { get; set; }

    /// <summary>The version run, or null for a draft run.</summary>
    public int? Version { get; set; }
    public required string Stage { get; set; }
    public required string Status { get; set; }
    public string? Trigger { get; set; }
    public string? Result { get; set; }
    public string? Error { get; set; }
    public string? CorrelationId { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>When the run was put in the queue; null for a run started at once (a route answered when it ends).</summary>
    public DateTimeOffset? EnqueuedAt { get; set; }

    /// <summary>1 for a first run; 2 and more for the workflow retry policy's further attempts.</summary>
    public int Attempt { get; set; } = 1;

    /// <summary>For a retry: the execution of the first attempt.</summary>
    public Guid? RetryOf { get; set; }

    /// <summary>A waiting run's saved state, protected with Data Protection (it holds live values).</summary>
    public string? SuspendedState { get; set; }
}

/// <summary>One activation of a node in an execution.</summary>
public sealed class NodeRunRow
{
    public long Id { get; set; }
    public Guid OrganizationId { get; set; }
    public Guid ExecutionId { get; set; }
    public int Sequence { get; set; }
    public required string NodeId { get; set; }
    public required string Type { get; set; }
    public required string Status { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public double DurationMs { get; set; }
    public string? Input { get; set; }
    public bool InputTruncated { get; set; }
    public string? Output { get; set; }
    public bool OutputTruncated { get; set; }
    public string? Error { get; set; }
    public string? Port { get; set; }
    public string? Scope { get; set; }
    public bool Pinned { get; set; }
    public string? Logs { get; set; }

    /// <summary>SHA-256 of a resume-wait's single-use token, to find it from <c>POST /api/v1/resume/{token}</c>.</summary>
    public string? ResumeTokenHash { get; set; }
}
