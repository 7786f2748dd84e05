namespace Plexus.Server.Infrastructure.Access;

/// <summary>What an endpoint needs. A role grants a set of these; an API key carries them as scopes.</summary>
public enum Permission
{
    /// <summary>Scope <c>workflows:read</c>; every role.</summary>
    WorkflowsRead,

    /// <summary>Scope <c>workflows:write</c>; editor and up.</summary>
    WorkflowsWrite,

    /// <summary>Scope <c>executions:run</c>; editor and up.</summary>
    ExecutionsRun,

    /// <summary>Scope <c>routes:invoke</c>; editor and up.</summary>
    RoutesInvoke,

    /// <summary>Scope <c>admin</c>: members, API keys, audit, secrets, project settings; admin and owner.</summary>
    Admin,
}

/// <summary>Who is calling: a signed-in user (access token) or an organisation's API key.</summary>
public sealed record Actor(Guid? UserId, Guid? ApiKeyId, Guid? ApiKeyOrganizationId, IReadOnlySet<Permission> ApiKeyScopes)
{
    public bool IsApiKey => ApiKeyId is not null;
}

/// <summary>The outcome of an access check. <see cref="NotFound"/> for another tenant's resource: no existence leak.</summary>
public enum AccessOutcome
{
    Allowed,
    NotFound,
    Forbidden,
}

public readonly record struct AccessCheck(AccessOutcome Outcome, string? Role, string? Reason)
{
    public bool Allowed => Outcome == AccessOutcome.Allowed;
}

/// <summary>
/// The one place tenant access is decided. Every endpoint that touches an organisation's data loads the row's
/// organisation id and asks here; not a member (or a key of another organisation) → NotFound, member without the
/// role or key without the scope → Forbidden.
/// </summary>
public interface IAccess
{
    /// <summary>The caller of the current request; null when anonymous.</summary>
    Actor? Current { get; }

    Task<AccessCheck> CheckAsync(Guid organizationId, Permission permission, CancellationToken cancellationToken);
}
