namespace Plexus.Persistence.Model;

public sealed class Project
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public required string Name { get; set; }

    /// <summary>Globally unique: routes are addressed by it (<c>/p/{slug}/{stage}/...</c>).</summary>
    public required string Slug { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Retention of execution records: older than this many days are deleted (null: kept).</summary>
    public int? RetentionDays { get; set; }

    /// <summary>Retention: at most this many executions are kept per workflow (null: no limit).</summary>
    public int? RetentionMaxCount { get; set; }

    /// <summary>A workflow of this project run with the details of every failed execution of a published version; null: none.</summary>
    public Guid? ErrorWorkflowId { get; set; }
}

/// <summary>A place a workflow version can be published to: <c>dev</c> (always), <c>prod</c> (by default), more.</summary>
public sealed class Stage
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public Guid ProjectId { get; set; }
    public required string Name { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class Workflow
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public Guid ProjectId { get; set; }
    public required string Name { get; set; }

    /// <summary><c>flow</c> or <c>blueprint</c>.</summary>
    public required string Kind { get; set; }

    /// <summary>The one mutable copy, as workflow JSON; guarded by <see cref="DraftRevision"/> (the ETag).</summary>
    public required string Draft { get; set; }
    public int DraftRevision { get; set; }
    public bool DraftValid { get; set; }

    /// <summary>What executions record: <c>all</c>, <c>errors</c> or <c>none</c>.</summary>
    public required string SavePolicy { get; set; }

    /// <summary>Per-stage overrides of <see cref="SavePolicy"/> as a JSON object, e.g. <c>{"prod":"errors"}</c>; null when none.</summary>
    public string? StageSavePolicies { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>An immutable, numbered snapshot of a draft.</summary>
public sealed class WorkflowVersion
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public Guid WorkflowId { get; set; }
    public int Number { get; set; }
    public required string Document { get; set; }
    public Guid? CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>(workflow, stage) → version. Publishing swaps the pointer; rollback points back.</summary>
public sealed class Publication
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public Guid WorkflowId { get; set; }
    public Guid StageId { get; set; }
    public int Version { get; set; }
    public Guid? PublishedBy { get; set; }
    public DateTimeOffset PublishedAt { get; set; }
}

/// <summary>A secret of a project's stage, encrypted at rest with Data Protection. Its value is never listed.</summary>
public sealed class Secret
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public Guid StageId { get; set; }
    public required string Name { get; set; }
    public required string ProtectedValue { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>An environment variable of a project's stage; readable.</summary>
public sealed class EnvVariable
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public Guid StageId { get; set; }
    public required string Name { get; set; }
    public required string Value { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
