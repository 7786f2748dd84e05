namespace Plexus.Persistence.Model;

/// <summary>A person who signs in. Email is stored lower-cased and unique.</summary>
public sealed class User
{
    public Guid Id { get; set; }
    public required string Email { get; set; }
    public required string Name { get; set; }
    public required string PasswordHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public int FailedLogins { get; set; }
    public DateTimeOffset? LockedUntil { get; set; }
}

/// <summary>A tenant: every row that belongs to one carries its id.</summary>
public sealed class Organization
{
    public Guid Id { get; set; }
    public required string Name { get; set; }

    /// <summary>The organisation made for a user at sign-up.</summary>
    public bool Personal { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A user's role in an organisation: owner, admin, editor or viewer.</summary>
public sealed class Membership
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public Guid UserId { get; set; }
    public required string Role { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// One refresh token, stored as a hash. Using it rotates it (a new one in the same family); using a rotated one
/// again revokes the whole family, since only a thief would hold it.
/// </summary>
public sealed class RefreshToken
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public Guid FamilyId { get; set; }
    public required string TokenHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? RotatedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}

/// <summary>An organisation's API key: shown once, stored as prefix + hash, with scopes; revocable.</summary>
public sealed class ApiKey
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public required string Name { get; set; }

    /// <summary>The public, unique start of the key (<c>plx_xxxxxxxx</c>) used to find it.</summary>
    public required string Prefix { get; set; }
    public required string SecretHash { get; set; }

    /// <summary>Space-separated scopes, e.g. <c>workflows:read executions:run</c>.</summary>
    public required string Scopes { get; set; }
    public Guid CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}

/// <summary>A security-relevant action: login, failed login, key create/revoke, role change, publish, secret change.</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }
    public Guid? OrganizationId { get; set; }
    public Guid? UserId { get; set; }
    public Guid? ApiKeyId { get; set; }
    public required string Action { get; set; }
    public string? Target { get; set; }
    public string? Detail { get; set; }
    public string? Ip { get; set; }
    public DateTimeOffset At { get; set; }
}

/// <summary>The key that signs access tokens, made on first start and shared by restarts and replicas (stored protected).</summary>
public sealed class SigningKey
{
    public Guid Id { get; set; }
    public required string ProtectedKey { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
